// During a simulation: what the customer (or the website for them) does next besides writing: identify, log in, a refused token, expiry, logout, routing, closing.
import { useState } from 'preact/hooks';
import type { ProfileRecord } from '../../core/events.ts';
import type { ConversationState } from '../../core/state.ts';
import type { SimAction, UserFields } from './session.ts';
import { REJECTIONS, type Login, type Rejection } from './tokens.ts';

interface Props {
  state: ConversationState;
  nowMs: number;
  hasJwt: boolean;
  profiles: ProfileRecord[];
  busy: boolean;
  onAct: (a: SimAction) => void;
}

export function CustomerControls({ state, nowMs, hasJwt, profiles, busy, onAct }: Props) {
  const [user, setUser] = useState<UserFields>({});
  const [login, setLogin] = useState<Login>({ email: '', name: '', ttl: 300 });
  const [reason, setReason] = useState<Rejection>('signature_invalid');
  const closed = state.status === 'closed';
  const exp = state.identity.tokenExpiresAt;
  const left = exp !== null ? exp - Math.floor(nowMs / 1000) : null;
  const off = busy || closed;
  return (
    <div class="sim-controls" data-testid="sim-controls">
      <div class="sim-control">
        <span class="sim-control-label">setUser</span>
        <div class="sim-control-body">
        {(['name', 'email', 'phone'] as const).map((f) => (
          <input name={`identify-${f}`} placeholder={f} value={user[f] ?? ''} onInput={(e) => setUser({ ...user, [f]: (e.target as HTMLInputElement).value })} />
        ))}
        <button type="button" disabled={off} onClick={() => onAct({ kind: 'identify', user })}>
          Identify
        </button>
        </div>
      </div>
      <div class="sim-control">
        <span class="sim-control-label">Log in</span>
        <div class="sim-control-body">
        <select
          aria-label="log in as profile"
          onChange={(e) => {
            const p = profiles.find((x) => x.id === (e.target as HTMLSelectElement).value);
            setLogin(p ? { ...login, email: p.emails?.[0] ?? '', name: p.name ?? '', ...(p.externalId ? { sub: p.externalId } : {}) } : { ...login, email: '', name: '' });
          }}
        >
          <option value="">as a new customer…</option>
          {profiles.map((p) => (
            <option value={p.id}>as {p.name ?? p.id}</option>
          ))}
        </select>
        <input name="login-email" placeholder="email" value={login.email ?? ''} onInput={(e) => setLogin({ ...login, email: (e.target as HTMLInputElement).value })} />
        <input name="login-name" placeholder="name" value={login.name ?? ''} onInput={(e) => setLogin({ ...login, name: (e.target as HTMLInputElement).value })} />
        <select aria-label="token lifetime" value={String(login.ttl)} onChange={(e) => setLogin({ ...login, ttl: Number((e.target as HTMLSelectElement).value) })}>
          {[60, 300, 900, 3600].map((s) => (
            <option value={String(s)}>{s / 60} min</option>
          ))}
        </select>
        <button type="button" disabled={off || !hasJwt || !(login.email || login.sub)} title={hasJwt ? 'A valid User Identity JWT arrives' : 'The widget has no JWT settings'} onClick={() => onAct({ kind: 'login', login })}>
          Log in
        </button>
        </div>
      </div>
      <div class="sim-control">
        <span class="sim-control-label">Token</span>
        <div class="sim-control-body">
        <button type="button" disabled={off || left === null || left < 0} title="Moves the clock past the token's exp" onClick={() => left !== null && onAct({ kind: 'advance', seconds: left + 1, why: 'expire' })}>
          Let it expire{left !== null && left >= 0 ? ` (${left} s left)` : ''}
        </button>
        <select aria-label="refusal reason" value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value as Rejection)}>
          {Object.entries(REJECTIONS).map(([k, v]) => (
            <option value={k}>
              {k}: {v}
            </option>
          ))}
        </select>
        <button type="button" disabled={off || !hasJwt} onClick={() => onAct({ kind: 'reject', reason })}>
          Send a refused token
        </button>
        </div>
      </div>
      <div class="sim-control">
        <span class="sim-control-label">Then</span>
        <div class="sim-control-body">
        <button type="button" disabled={off} onClick={() => onAct({ kind: 'clear_user' })}>
          Log out
        </button>
        <button type="button" disabled={off} onClick={() => onAct({ kind: 'advance', seconds: 300, why: 'wait' })}>
          Wait 5 min
        </button>
        <button type="button" disabled={off || state.routed} onClick={() => onAct({ kind: 'routed' })}>
          Routed to an agent
        </button>
        <button type="button" disabled={off} onClick={() => onAct({ kind: 'close' })}>
          Close
        </button>
        </div>
      </div>
    </div>
  );
}
