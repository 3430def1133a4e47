// Before a simulation starts: the widget, the onboarding type, who the customer is at the start, where the thread starts, the profile directory and the lookup answers.
import { useEffect, useState } from 'preact/hooks';
import type { ProfileRecord } from '../../core/events.ts';
import type { Scalar } from '../../core/thread.schema.ts';
import { api, getWidget, type WidgetSummary } from '../api.ts';
import { Notice } from '../ui.tsx';
import type { LookupStub, SimAction, SimSetup, UserFields } from './session.ts';
import type { Login } from './tokens.ts';
import { ONBOARDING_TYPES, widgetInfo, type Onboarding } from './widget-info.ts';

interface Props {
  threadId: string;
  threadSource: string;
  steps: string[];
  lookupNames: string[];
  widgets: WidgetSummary[];
  /** The previous setup, so Restart keeps what the admin chose. */
  initial: { setup: SimSetup; start: Extract<SimAction, { kind: 'start' }> } | null;
  onStart: (setup: SimSetup, start: Extract<SimAction, { kind: 'start' }>) => void;
}

type StartAs = 'visitor' | 'identified' | 'signed_in';

/** `key = value` lines; numbers and true/false become those types, as YAML would read them. */
function parseSlots(text: string): { slots: Record<string, Scalar>; error: string | null } {
  const slots: Record<string, Scalar> = {};
  for (const [n, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([A-Za-z][\w-]*)\s*[=:]\s*(.*)$/.exec(line);
    if (!m) return { slots, error: `line ${n + 1}: write slot = value` };
    const v = m[2]!.trim();
    slots[m[1]!] = v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return { slots, error: null };
}

const slotsText = (s: Record<string, Scalar>) => Object.entries(s).map(([k, v]) => `${k} = ${String(v)}`).join('\n');

function LookupChoice({ name, stub, onChange }: { name: string; stub: LookupStub | undefined; onChange: (s: LookupStub | undefined) => void }) {
  const [json, setJson] = useState(stub?.status === 'ok' ? JSON.stringify(stub.data, null, 1) : '{}');
  const [bad, setBad] = useState<string | null>(null);
  const mode = stub ? (stub.status === 'ok' ? 'ok' : stub.error) : 'none';
  return (
    <div class="sim-lookup">
      <label>
        lookup <code>{name}</code> answers
        <select
          value={mode}
          onChange={(e) => {
            const m = (e.target as HTMLSelectElement).value;
            if (m === 'none') onChange(undefined);
            else if (m === 'ok') onChange({ status: 'ok', data: JSON.parse(json || 'null') as unknown });
            else onChange({ status: 'error', error: m });
          }}
        >
          <option value="none">not stubbed (fails: host_not_allowed)</option>
          <option value="ok">ok, with this data</option>
          {['timeout', 'http_status', 'network', 'too_large', 'invalid_response'].map((c) => (
            <option value={c}>error: {c}</option>
          ))}
        </select>
      </label>
      {mode === 'ok' && (
        <textarea
          rows={3}
          spellcheck={false}
          value={json}
          onInput={(e) => {
            const t = (e.target as HTMLTextAreaElement).value;
            setJson(t);
            try {
              onChange({ status: 'ok', data: JSON.parse(t) as unknown });
              setBad(null);
            } catch {
              setBad('not valid JSON yet');
            }
          }}
        />
      )}
      {bad && <span class="warn-text small">{bad}</span>}
    </div>
  );
}

export function SetupForm({ threadId, threadSource, steps, lookupNames, widgets, initial, onStart }: Props) {
  const mine = widgets.filter((w) => w.thread === threadId);
  const [widgetId, setWidgetId] = useState(initial?.setup.widget.id ?? mine[0]?.id ?? '');
  const [widgetSource, setWidgetSource] = useState<string | null>(initial?.setup.widgetSource ?? null);
  const [onboarding, setOnboarding] = useState<Onboarding | null>(initial?.setup.onboarding ?? null);
  const [startAs, setStartAs] = useState<StartAs>(initial?.start.login ? 'signed_in' : initial?.start.user ? 'identified' : 'visitor');
  const [user, setUser] = useState<UserFields>(initial?.start.user ?? {});
  const [login, setLogin] = useState<Login>(initial?.start.login ?? { email: '', name: '', ttl: 300 });
  const [at, setAt] = useState(initial?.setup.startAt ?? '');
  const [slots, setSlots] = useState(initial ? slotsText(initial.setup.slots) : '');
  const [profiles, setProfiles] = useState<ProfileRecord[]>(initial?.setup.profiles ?? []);
  const [stored, setStored] = useState<ProfileRecord[]>([]);
  const [lookups, setLookups] = useState<Record<string, LookupStub>>(initial?.setup.lookups ?? {});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!widgetId) return;
    getWidget(widgetId).then(
      (w) => {
        setWidgetSource(w.source);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [widgetId]);
  useEffect(() => {
    api<{ profiles: ProfileRecord[] }>('GET', '/v1/profiles?limit=200').then((r) => setStored(r.profiles), () => setStored([]));
  }, []);

  const info = widgetSource ? widgetInfo(widgetSource) : null;
  const parsed = parseSlots(slots);
  const start = () => {
    if (!info || !widgetSource) return;
    const setup: SimSetup = {
      threadSource,
      threadId,
      widgetSource,
      widget: info,
      onboarding: onboarding ?? info.onboarding,
      // Whole seconds, so the exported transcript's clock reads plainly.
      clock: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
      profiles,
      lookups,
      startAt: at || null,
      slots: parsed.slots,
    };
    const action: Extract<SimAction, { kind: 'start' }> = { kind: 'start', ...(startAs === 'identified' ? { user } : {}), ...(startAs === 'signed_in' ? { login } : {}) };
    onStart(setup, action);
  };
  const pickProfile = (id: string) => {
    const p = [...profiles, ...stored].find((x) => x.id === id);
    if (p) setLogin({ ...login, email: p.emails?.[0] ?? '', name: p.name ?? '', ...(p.externalId ? { sub: p.externalId } : {}) });
  };

  return (
    <form
      class="sim-setup"
      data-testid="sim-setup"
      onSubmit={(e) => {
        e.preventDefault();
        start();
      }}
    >
      <h3>Simulate a customer</h3>
      <p class="hint">Runs the draft as it is in the editor through POST /v1/evaluate: nothing is stored, no token is signed, no lookup leaves the server.</p>
      {mine.length === 0 && <Notice kind="info">No widget starts this thread yet; pick any widget, its onboarding is what matters here.</Notice>}
      <div class="sim-grid">
        <label>
          Widget
          <select name="widget" value={widgetId} onChange={(e) => setWidgetId((e.target as HTMLSelectElement).value)}>
            {(mine.length ? mine : widgets).map((w) => (
              <option value={w.id}>
                {w.id} ({w.onboarding})
              </option>
            ))}
          </select>
        </label>
        <label>
          Onboarding
          <select name="onboarding" value={onboarding ?? info?.onboarding ?? 'none'} onChange={(e) => setOnboarding((e.target as HTMLSelectElement).value as Onboarding)}>
            {ONBOARDING_TYPES.map((t) => (
              <option value={t}>
                {t}
                {t === info?.onboarding ? ' (the widget’s)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Start at step
          <select name="start-at" value={at} onChange={(e) => setAt((e.target as HTMLSelectElement).value)}>
            <option value="">the thread’s start</option>
            {steps.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          The customer starts as
          <select name="start-as" value={startAs} onChange={(e) => setStartAs((e.target as HTMLSelectElement).value as StartAs)}>
            <option value="visitor">a visitor</option>
            <option value="identified">identified by the website (setUser)</option>
            <option value="signed_in" disabled={info ? !info.hasJwt : false}>
              signed in (a valid token){info && !info.hasJwt ? ' — the widget has no JWT settings' : ''}
            </option>
          </select>
        </label>
      </div>
      {startAs === 'identified' && (
        <div class="sim-grid">
          {(['name', 'email', 'phone'] as const).map((f) => (
            <label>
              {f}
              <input name={`user-${f}`} value={user[f] ?? ''} onInput={(e) => setUser({ ...user, [f]: (e.target as HTMLInputElement).value })} />
            </label>
          ))}
        </div>
      )}
      {startAs === 'signed_in' && (
        <div class="sim-grid">
          <label>
            as profile
            <select onChange={(e) => pickProfile((e.target as HTMLSelectElement).value)}>
              <option value="">(type the claims)</option>
              {[...profiles, ...stored.filter((s) => !profiles.some((p) => p.id === s.id))].map((p) => (
                <option value={p.id}>{p.name ?? p.id}</option>
              ))}
            </select>
          </label>
          <label>
            email
            <input name="login-email" value={login.email ?? ''} onInput={(e) => setLogin({ ...login, email: (e.target as HTMLInputElement).value })} />
          </label>
          <label>
            name
            <input name="login-name" value={login.name ?? ''} onInput={(e) => setLogin({ ...login, name: (e.target as HTMLInputElement).value })} />
          </label>
          <label>
            token valid for
            <select value={String(login.ttl)} onChange={(e) => setLogin({ ...login, ttl: Number((e.target as HTMLSelectElement).value) })}>
              {[60, 300, 900, 3600].map((s) => (
                <option value={String(s)}>{s / 60} min</option>
              ))}
            </select>
          </label>
        </div>
      )}
      <label class="sim-block">
        Slots filled in before the first step (one <code>slot = value</code> per line)
        <textarea name="slots" rows={2} spellcheck={false} value={slots} placeholder="topic = order_status" onInput={(e) => setSlots((e.target as HTMLTextAreaElement).value)} />
      </label>
      {parsed.error && <span class="warn-text small">{parsed.error}</span>}
      <fieldset class="sim-directory" data-testid="sim-directory">
        <legend>Profile directory (who threadgate already knows)</legend>
        {profiles.length === 0 && <p class="hint">Empty: every identity is a new customer. Add existing customers to see "matched" and conflicts.</p>}
        {profiles.map((p) => (
          <div class="sim-profile" data-profile={p.id}>
            <b>{p.name ?? p.id}</b> <span class="muted small">{[...(p.emails ?? []), ...(p.phones ?? []), p.externalId && `sub ${p.externalId}`].filter(Boolean).join(', ')}</span>
            <button type="button" class="ghost" onClick={() => setProfiles(profiles.filter((x) => x.id !== p.id))} aria-label={`Remove ${p.id}`}>
              ×
            </button>
          </div>
        ))}
        <label>
          Add a customer from the store
          <select
            name="add-profile"
            value=""
            onChange={(e) => {
              const p = stored.find((s) => s.id === (e.target as HTMLSelectElement).value);
              if (p && !profiles.some((x) => x.id === p.id)) setProfiles([...profiles, p]);
            }}
          >
            <option value="">{stored.length ? 'pick a profile…' : 'the store has no profiles'}</option>
            {stored.map((p) => (
              <option value={p.id}>
                {p.name ?? p.id} · {(p.emails ?? []).join(', ')}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      {lookupNames.length > 0 && (
        <fieldset>
          <legend>Lookups (answered here, as a transcript stubs them)</legend>
          {lookupNames.map((n) => (
            <LookupChoice
              name={n}
              stub={lookups[n]}
              onChange={(s) => {
                const next = { ...lookups };
                if (s) next[n] = s;
                else delete next[n];
                setLookups(next);
              }}
            />
          ))}
        </fieldset>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <div class="sim-row">
        <button type="submit" class="primary" disabled={!info || Boolean(parsed.error)} data-testid="sim-start">
          Start the conversation
        </button>
      </div>
    </form>
  );
}
