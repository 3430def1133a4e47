// The simulated conversation as the customer sees it: bot lines, the customer's messages with their trusted flag, asks as inputs, actions as cards, identity changes as system lines.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Output } from '../../core/outputs.ts';
import type { ConversationState } from '../../core/state.ts';
import { actionText, identityText } from './labels.ts';
import { scenarioLabel } from '../conversations/labels.ts';
import type { SimAction, SimTurn, UserFields } from './session.ts';

interface Props {
  turns: SimTurn[];
  selected: number;
  onSelect: (i: number) => void;
  onAct: (a: SimAction) => void;
  busy: boolean;
  loginUrl: string | null;
}

function FormCard({ fields, required, onAct, live }: { fields: string[]; required: boolean; onAct: (a: SimAction) => void; live: boolean }) {
  const [v, setV] = useState<UserFields>({});
  return (
    <form
      class="sim-card sim-form"
      onSubmit={(e) => {
        e.preventDefault();
        onAct({ kind: 'submit_form', fields: v });
      }}
    >
      <b>Pre-chat form{required ? ' (required)' : ' (optional)'}</b>
      {fields.map((f) => (
        <label>
          {f}
          <input name={f} disabled={!live} value={v[f as keyof UserFields] ?? ''} onInput={(e) => setV({ ...v, [f]: (e.target as HTMLInputElement).value })} />
        </label>
      ))}
      {live && (
        <div class="sim-row">
          <button type="submit" class="primary">
            Submit form
          </button>
          {!required && (
            <button type="button" onClick={() => onAct({ kind: 'skip_form' })}>
              Skip
            </button>
          )}
        </div>
      )}
    </form>
  );
}

function OutputView({ o, live, onAct, loginUrl }: { o: Output; live: boolean; onAct: (a: SimAction) => void; loginUrl: string | null }) {
  switch (o.type) {
    case 'message':
      return (
        <div class="sim-bot" data-from="bot">
          {o.text}
          {o.loginUrl && (
            <a class="sim-login-link" href={o.loginUrl} target="_blank" rel="noreferrer">
              sign in
            </a>
          )}
        </div>
      );
    case 'ask':
      if (o.input === 'choice' && o.choices)
        return (
          <div class="sim-choices" data-ask={o.slot}>
            {o.choices.map((c) => (
              <button type="button" disabled={!live} onClick={() => onAct({ kind: 'message', text: c.label })}>
                {c.label}
              </button>
            ))}
          </div>
        );
      if (o.input === 'yes_no')
        return (
          <div class="sim-choices" data-ask={o.slot}>
            {['Yes', 'No'].map((t) => (
              <button type="button" disabled={!live} onClick={() => onAct({ kind: 'message', text: t })}>
                {t}
              </button>
            ))}
          </div>
        );
      return (
        <div class="sim-ask-hint" data-ask={o.slot}>
          waits for {o.input} → slots.{o.slot}
          {o.attempt > 1 ? ` (attempt ${o.attempt})` : ''}
        </div>
      );
    case 'action': {
      const a = o.action;
      if (a.type === 'request_form') return <FormCard fields={a.fields} required={a.required} onAct={onAct} live={live} />;
      if (a.type === 'request_login')
        return (
          <div class="sim-card sim-action" data-action="request_login">
            <b>Login requested</b> {a.text ?? ''} {(a.url ?? loginUrl) && <code>{a.url ?? loginUrl}</code>}
          </div>
        );
      if (a.type === 'handoff')
        return (
          <div class="sim-card sim-action" data-action="handoff">
            <b>Handoff</b> to queue <code>{a.queue}</code>
            {a.note ? <div class="muted small">note for the agent: {a.note}</div> : null}
          </div>
        );
      if (a.type === 'reroute')
        return (
          <div class="sim-card sim-action" data-action="reroute">
            <b>Re-routed</b> to queue <code>{a.queue}</code> as a different customer (party {a.party + 1}){a.previousQueue ? <> from <code>{a.previousQueue}</code></> : null}
            {a.note ? <div class="muted small">note for the agent: {a.note}</div> : null}
          </div>
        );
      if (a.type === 'end') return <div class="sim-card sim-action" data-action="end"><b>End</b> {a.reason ?? ''}</div>;
      if (a.type === 'tag') return <div class="sim-system">tags: {a.tags.join(', ')}</div>;
      if (a.type === 'set') return <div class="sim-system">set {Object.entries(a.slots).map(([k, v]) => `${k} = ${String(v)}`).join(', ')}</div>;
      if (a.type === 'send_transcript') return <div class="sim-card sim-action" data-action="send_transcript"><b>Transcript</b> sent to {a.email ?? a.phone}</div>;
      return <div class="sim-card sim-action" data-action="rating"><b>Rating</b> {a.score}/5</div>;
    }
    case 'notice':
      return (
        <div class="sim-notice" data-notice={o.code}>
          <b>{o.code}</b> {o.message}
        </div>
      );
    case 'effect':
      return <div class="sim-system">profile created in the directory: {o.profile.id} ({[o.profile.name, ...o.profile.emails].filter(Boolean).join(', ')})</div>;
    case 'generate':
      return (
        <div class="sim-card sim-generate" data-generate={o.step}>
          <b>Generated answer</b> (trust: {o.trust}) <div class="muted small">{o.instructions}</div>
          {o.withheld.length > 0 && <div class="muted small">withheld: {o.withheld.join(', ')}</div>}
        </div>
      );
    case 'lookup':
      return null;
    case 'error':
      return (
        <div class="sim-error" data-error={o.code}>
          <b>{o.code}</b> {o.message}
        </div>
      );
  }
}

/** System lines for what changed in the turn: identity, profile match, scenario, status. */
function changes(before: ConversationState | null, t: SimTurn): string[] {
  const s = t.state;
  const out: string[] = [];
  if (!before || before.identity.status !== s.identity.status || before.identity.method !== s.identity.method || before.identity.party !== s.identity.party)
    if (before || s.identity.status !== 'anonymous') out.push(`identity: ${identityText(s)}${before && before.identity.party !== s.identity.party ? ` · a new party (${s.identity.party})` : ''}`);
  if (s.profile.match !== (before?.profile.match ?? 'none')) out.push(`profile: ${s.profile.match}${s.profile.id ? ` (${s.profile.id})` : ''}`);
  if (before && before.scenario !== s.scenario) out.push(`scenario: ${scenarioLabel(before.scenario)} → ${scenarioLabel(s.scenario)}`);
  if (before && before.status !== s.status) out.push(`status: ${s.status}`);
  return out;
}

export function ChatLog({ turns, selected, onSelect, onAct, busy, loginUrl }: Props) {
  const list = useRef<HTMLOListElement>(null);
  // Each new turn scrolls into view, as a chat window does.
  useEffect(() => {
    const last = list.current?.lastElementChild;
    if (last) list.current!.scrollTop = list.current!.scrollHeight;
  }, [turns.length]);
  return (
    <ol class="sim-log" data-testid="sim-log" ref={list}>
      {turns.map((t, i) => {
        const before = i > 0 ? turns[i - 1]!.state : null;
        const live = i === turns.length - 1 && !busy;
        const a = t.action;
        return (
          <li
            class={`sim-turn${i === selected ? ' selected' : ''}`}
            data-turn={i}
            onClick={(e) => {
              if (!(e.target as Element).closest('button, input, a')) onSelect(i);
            }}
          >
            {a.kind === 'message' ? (
              <div class="sim-customer" data-from="customer" data-trusted={String(t.trusted)}>
                {a.text}
                <span class={`sim-trust ${t.trusted ? 'trusted' : 'untrusted'}`}>{t.trusted ? 'trusted' : 'not trusted'}</span>
              </div>
            ) : (
              <div class="sim-system sim-doing" data-action-kind={a.kind}>
                {actionText(a)}
              </div>
            )}
            {t.lookups.map((l) => (
              <div class="sim-system">
                lookup {l.name} → {l.status}
                {l.error ? ` (${l.error})` : ''}
              </div>
            ))}
            {t.outputs.map((o) => (
              <OutputView o={o} live={live} onAct={onAct} loginUrl={loginUrl} />
            ))}
            {changes(before, t).map((c) => (
              <div class="sim-system sim-change">{c}</div>
            ))}
          </li>
        );
      })}
    </ol>
  );
}
