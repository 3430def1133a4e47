// How `threadgate chat` prints a turn: bot messages, asks with choices, actions, notices, trust and the trace.
import type { Output, TurnTrace, BranchTrace } from '../core/outputs.ts';
import type { TurnResponse } from '../runtime/conversation-service.ts';

export function formatOutput(o: Output): string {
  switch (o.type) {
    case 'message':
      return `bot: ${o.text}${o.loginUrl ? `  [login: ${o.loginUrl}]` : ''}`;
    case 'ask': {
      const choices = o.choices?.length ? `: ${o.choices.map((c, i) => `${i + 1}) ${c.label}`).join('  ')}` : '';
      return `  ? ask ${o.slot} (${o.input}${o.attempt > 1 ? `, attempt ${o.attempt}` : ''})${choices}`;
    }
    case 'action': {
      const a = o.action;
      const detail =
        a.type === 'handoff' || a.type === 'reroute' ? ` to ${a.queue}${a.note ? ` (note: ${a.note})` : ''}`
        : a.type === 'request_login' ? `${a.text ? `: ${a.text}` : ''}${a.url ? ` -> ${a.url}` : ' (no url)'}`
        : a.type === 'request_form' ? `${a.text ? `: ${a.text}` : ''} [fields ${a.fields.join(', ')}] (use /form <name> <email-or-phone>)`
        : a.type === 'end' ? (a.reason ? `: ${a.reason}` : '')
        : a.type === 'tag' ? ` ${a.tags.join(', ')}`
        : a.type === 'set' ? ` ${JSON.stringify(a.slots)}`
        : ` ${JSON.stringify(a)}`;
      return `  ! action ${a.type}${detail}`;
    }
    case 'notice':
      return `  i notice ${o.code}: ${o.message}`;
    case 'error':
      return `  x error ${o.code}: ${o.message}`;
    case 'effect':
      return `  i effect ${o.effect}`;
    case 'lookup':
      return `  ~ lookup ${o.name}: ${o.request.method} ${o.request.url}`;
    case 'generate':
      return `  ~ generate (${o.trust}): ${o.instructions}${o.withheld.length ? ` [withheld: ${o.withheld.join(', ')}]` : ''}`;
  }
}

const mark = (b: BranchTrace) => `#${b.index}${b.name ? ` ${b.name}` : ''} ${b.default ? '(else) ' : ''}${b.result ? 'yes' : 'no'}`;

/** One compact line per step and handler, then the notes. */
export function formatTrace(t: TurnTrace): string[] {
  const id = t.identity;
  const lines = [`  trace: ${t.event}, turn ${t.turn}, identity ${id.before.status}/${id.before.method} -> ${id.after.status}/${id.after.method}${id.change ? ` (${id.change})` : ''}${id.rejection ? `, token rejected: ${id.rejection}` : ''}`];
  for (const h of t.handlers) lines.push(`    handler on.${h.event}: ${h.branches.map(mark).join('; ')} => ${h.chosen === null ? 'none' : `#${h.chosen}`}`);
  for (const s of t.steps) {
    const answer = s.answer ? ` answer ${s.answer.slot}=${s.answer.valid ? JSON.stringify(s.answer.value) : `invalid (${s.answer.reason})`}` : '';
    const branches = s.branches ? `; ${s.branches.map(mark).join('; ')} => ${s.chosen === null || s.chosen === undefined ? 'none' : `#${s.chosen}`}` : '';
    lines.push(`    step ${s.step} via ${s.via}${s.from ? ` from ${s.from}` : ''}${answer}${branches}`);
  }
  for (const n of t.notes) lines.push(`    note: ${n}`);
  return lines;
}

export function formatTurn(body: TurnResponse, showTrace: boolean): string[] {
  const lines: string[] = [];
  if (body.trusted !== null) lines.push(`  (your message: ${body.trusted ? 'trusted' : 'not trusted'})`);
  lines.push(...body.outputs.map(formatOutput));
  if (showTrace && body.trace) lines.push(...formatTrace(body.trace));
  return lines;
}
