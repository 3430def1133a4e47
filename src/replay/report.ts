// Readable reports of transcript runs: each failure with file:line, turn, path, expected vs actual and a compact trace.
import { formatIssue } from '../core/errors.ts';
import type { TurnTrace } from '../core/outputs.ts';
import type { TranscriptFailure, TranscriptResult } from './run-transcript.ts';

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v, null, 0) ?? String(v));

/** One line per step: how it was reached and which branch won, so a wrong turn is visible at a glance. */
export function formatTrace(trace: TurnTrace, indent = '      '): string {
  const id = trace.identity;
  const lines = [
    `event ${trace.event} (turn ${trace.turn}), identity ${id.before.status}/${id.before.method} -> ${id.after.status}/${id.after.method}` +
      `${id.change !== null ? `, change ${id.change}` : ''}${id.rejection ? `, token rejected: ${id.rejection}` : ''}, trusted ${String(trace.trusted)}`,
  ];
  for (const h of trace.handlers) {
    const won = h.chosen === null ? 'no branch held' : (h.branches.find((b) => b.index === h.chosen)?.name ?? `#${h.chosen}`);
    lines.push(`on ${h.event} (${h.set}): ${won}`);
  }
  for (const s of trace.steps) {
    let line = `step ${s.step} via ${s.via}${s.from ? ` from ${s.from}` : ''}`;
    if (s.answer) line += `, answer ${s.answer.slot}=${show(s.answer.value ?? null)} ${s.answer.valid ? 'valid' : `invalid (${s.answer.reason ?? '?'})`}`;
    if (s.branches?.length) {
      line += `; branches: ${s.branches.map((b) => `${b.index === s.chosen ? '*' : ''}${b.name ?? `#${b.index}`}${b.default ? ' (default)' : ''}=${b.result}${b.error ? ` error ${b.error}` : ''}`).join(', ')}`;
    }
    lines.push(line);
  }
  for (const n of trace.notes) lines.push(`note: ${n}`);
  return lines.map((l) => `${indent}${l}`).join('\n');
}

export function formatFailure(file: string, f: TranscriptFailure, withTrace = true): string {
  const where = `${file}${f.line ? `:${f.line}` : ''}`;
  const head = `  ${where} turn ${f.turn} (${f.label}) ${f.path}\n    expected: ${show(f.expected)}\n    actual:   ${show(f.actual)}`;
  return withTrace && f.trace ? `${head}\n    trace of turn ${f.turn}:\n${formatTrace(f.trace)}` : head;
}

/** The report of one transcript: nothing but a status line when it passed; a turn's trace follows its last failure. */
export function formatResult(r: TranscriptResult): string {
  if (r.ok) return `PASS ${r.file} (${r.name})`;
  const body = [...r.issues.map((i) => `  ${formatIssue({ ...i, file: i.file ?? r.file })}`), ...r.failures.map((f, i) => formatFailure(r.file, f, r.failures[i + 1]?.turn !== f.turn))];
  return `FAIL ${r.file} (${r.name})\n${body.join('\n')}`;
}

export function formatSummary(results: TranscriptResult[], ms: number): string {
  const failed = results.filter((r) => !r.ok);
  const turns = results.reduce((n, r) => n + r.turns.length, 0);
  return `${results.length - failed.length} passed, ${failed.length} failed, ${results.length} transcripts, ${turns} turns in ${(ms / 1000).toFixed(2)} s`;
}
