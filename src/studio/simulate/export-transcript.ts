// A simulation as a transcript (docs/transcripts.md): what the admin did as customer events, what the bot did as expectations, so `threadgate test` replays it.
import { stringify } from 'yaml';
import type { Output } from '../../core/outputs.ts';
import type { Login, Rejection } from './tokens.ts';
import type { SimAction, SimTurn, Simulation, UserFields } from './session.ts';

type Obj = Record<string, unknown>;

export interface ExportResult {
  yaml: string;
  /** Why the transcript would not replay as simulated (e.g. a token on a widget without JWT settings). */
  problems: string[];
}

const claimsOf = (l: Login): Obj => Object.fromEntries(Object.entries({ email: l.email, phone: l.phone, name: l.name, sub: l.sub }).filter(([, v]) => v));
const userOf = (u: UserFields): Obj => Object.fromEntries(Object.entries(u).filter(([, v]) => typeof v === 'string' && v.trim() !== ''));

/** A real token the runner signs that the widget refuses for this reason (the simulator only offers such reasons). */
function refusedToken(reason: Rejection): Obj {
  const claims = { email: 'refused@example.com' };
  switch (reason) {
    case 'signature_invalid':
      return { claims, secret: 'forged-by-thread-studio-0123456789abcdef' };
    case 'expired':
      return { claims, ttl: 60, iatOffset: -600 };
    case 'issuer_invalid':
      return { claims, issuer: 'https://issuer.invalid' };
    case 'audience_invalid':
      return { claims, audience: 'not-this-audience' };
    case 'malformed':
      return { raw: 'not-a-jwt' };
  }
}

function customerOf(a: Exclude<SimAction, { kind: 'start' } | { kind: 'advance' }>): Obj {
  switch (a.kind) {
    case 'message':
      return { message: a.text };
    case 'identify':
      return { identify: userOf(a.user) };
    case 'login':
      return { authenticate: { claims: claimsOf(a.login), ttl: a.login.ttl } };
    case 'reject':
      return { authenticate: refusedToken(a.reason) };
    case 'submit_form':
      return { submit_form: userOf(a.fields) };
    case 'routed':
      return { routed: a.queue ?? true };
    case 'rate':
      return { rate: a.score };
    default:
      return { [a.kind]: true };
  }
}

function actionOf(o: Extract<Output, { type: 'action' }>): Obj {
  const a = o.action;
  if (a.type === 'handoff') return { type: 'handoff', queue: a.queue };
  if (a.type === 'request_form') return { type: 'request_form', required: a.required };
  return { type: a.type };
}

/** What the turn produced, as transcript expectations: every key is one the runner checks exactly. */
function expectOf(t: SimTurn): Obj {
  const s = t.state;
  const bot = t.outputs.filter((o) => o.type === 'message').map((o) => (o as { text: string }).text);
  const actions = t.outputs.filter((o): o is Extract<Output, { type: 'action' }> => o.type === 'action').map(actionOf);
  const notices = t.outputs.filter((o) => o.type === 'notice').map((o) => (o as { code: string }).code);
  const e: Obj = { bot };
  if (actions.length) e.actions = actions;
  if (notices.length) e.notices = notices;
  if (t.trusted !== null) e.trusted = t.trusted;
  e.identity = { status: s.identity.status, method: s.identity.method };
  if (s.profile.match !== 'none') e.profile = { match: s.profile.match };
  e.scenario = s.scenario;
  e.step = s.step;
  e.status = s.status;
  if (t.trace?.identity.rejection) e.rejection = t.trace.identity.rejection;
  return e;
}

export function exportTranscript(sim: Simulation, name: string): ExportResult {
  const { setup } = sim;
  const problems: string[] = [];
  const usesToken = sim.turns.some((t) => t.action.kind === 'login' || t.action.kind === 'reject' || (t.action.kind === 'start' && t.action.login));
  const logins = sim.turns.flatMap((t) => (t.action.kind === 'login' ? [t.action.login] : t.action.kind === 'start' && t.action.login ? [t.action.login] : []));
  if (logins.some((l) => !l.email && !l.phone)) problems.push('A login without an email or phone cannot be signed by the transcript runner (its signer needs one); give the login an email.');
  if (usesToken && !setup.widget.hasJwt) problems.push(`The widget "${setup.widget.id}" has no JWT settings: a transcript cannot sign tokens for it.`);
  const doc: Obj = {
    name,
    description: `Exported from Thread Studio: thread ${setup.threadId} on widget ${setup.widget.id}. Replays the thread file in the rules folder, so save the draft there first.`,
    setup: {
      widget: setup.widget.id,
      ...(setup.onboarding !== setup.widget.onboarding ? { onboarding: setup.onboarding } : {}),
      clock: setup.clock,
      ...(setup.profiles.length ? { profiles: setup.profiles } : {}),
      ...(Object.keys(setup.lookups).length ? { lookups: setup.lookups } : {}),
    },
  };
  const turns: Obj[] = [];
  for (const t of sim.turns) {
    const a = t.action;
    if (a.kind === 'advance') {
      turns.push({ advance: `${a.seconds}s` });
      continue;
    }
    if (a.kind === 'start') {
      doc.start = {
        ...(setup.startAt ? { at: setup.startAt } : {}),
        ...(Object.keys(setup.slots).length ? { slots: setup.slots } : {}),
        ...(a.user && Object.keys(userOf(a.user)).length ? { user: userOf(a.user) } : {}),
        ...(a.login ? { token: { claims: claimsOf(a.login), ttl: a.login.ttl } } : {}),
        ...(a.context ? { context: a.context } : {}),
        expect: expectOf(t),
      };
      continue;
    }
    turns.push({ customer: customerOf(a), expect: expectOf(t) });
  }
  doc.turns = turns;
  return { yaml: stringify(doc, { lineWidth: 0 }), problems };
}
