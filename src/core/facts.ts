// The fact catalogue conditions and templates may name, and the builder of a turn's fact values.
import type { ConversationState } from './state.ts';
import { isTrustedAt } from './state.ts';
import type { TurnEvent } from './events.ts';
import type { OnboardingType } from './widget.schema.ts';

/** `open` marks a subtree whose keys are the author's (profile attributes, entities); `slots` is checked against declared slots. */
type PathSpec = 'leaf' | 'open' | { [key: string]: PathSpec };

export const FACT_CATALOGUE: Record<string, PathSpec> = {
  auth: {
    status: 'leaf',
    method: 'leaf',
    trusted: 'leaf',
    email: 'leaf',
    phone: 'leaf',
    name: 'leaf',
    firstName: 'leaf',
    externalId: 'leaf',
    expiresAt: 'leaf',
    issuer: 'leaf',
    change: 'leaf',
    rejection: 'leaf',
  },
  onboarding: { type: 'leaf', completed: 'leaf', skipped: 'leaf', formRequested: 'leaf' },
  profile: {
    match: 'leaf',
    id: 'leaf',
    name: 'leaf',
    firstName: 'leaf',
    email: 'leaf',
    phone: 'leaf',
    externalId: 'leaf',
    attributes: 'open',
  },
  scenario: 'leaf',
  message: { text: 'leaf', intent: 'leaf', confidence: 'leaf', entities: 'open', event: 'leaf' },
  slots: 'open',
  conversation: { turn: 'leaf', routed: 'leaf', queue: 'leaf', step: 'leaf', status: 'leaf', tags: 'leaf', event: 'leaf', context: 'open' },
  widget: { id: 'leaf', name: 'leaf', onboarding: 'leaf', loginUrl: 'leaf', transcript: 'leaf', rating: 'leaf' },
  lookup: 'open',
};

/** Below `lookup.<name>`: the result's fields; `data` is the endpoint's own shape. */
const LOOKUP_FIELDS: PathSpec = { status: 'leaf', data: 'open', error: 'leaf' };

export const FACT_IDS = Object.keys(FACT_CATALOGUE);

export type PathCheck =
  | { ok: true }
  | { ok: false; code: 'fact_unknown' | 'fact_path_unknown' | 'fact_path_on_scalar' | 'slot_unknown' | 'lookup_unknown'; message: string };

/** Splits `auth.status` / `$.status` forms into a fact id and a dotted path (possibly empty). */
export function splitFactPath(fact: string, path?: string): { fact: string; path: string[] } {
  const [id = '', ...rest] = fact.split('.');
  const extra = path ? path.replace(/^\$\.?/, '').split('.').filter((p) => p.length > 0) : [];
  return { fact: id, path: [...rest, ...extra] };
}

/** Checks that a fact and path exist in the catalogue; `slots` and `lookup` paths must name a declared slot or lookup. */
export function checkFactPath(fact: string, path: string[], declaredSlots: ReadonlySet<string>, declaredLookups: ReadonlySet<string> = new Set()): PathCheck {
  let spec = FACT_CATALOGUE[fact];
  if (spec === undefined) {
    return { ok: false, code: 'fact_unknown', message: `unknown fact "${fact}"; known facts: ${FACT_IDS.join(', ')}` };
  }
  if (fact === 'slots' && path.length > 0 && !declaredSlots.has(path[0]!)) {
    const known = [...declaredSlots].join(', ') || 'none';
    return { ok: false, code: 'slot_unknown', message: `slot "${path[0]}" is never asked for nor set in this thread (declared slots: ${known})` };
  }
  if (fact === 'lookup' && path.length > 0) {
    if (!declaredLookups.has(path[0]!)) {
      const known = [...declaredLookups].join(', ') || 'none';
      return { ok: false, code: 'lookup_unknown', message: `lookup "${path[0]}" is not declared in this thread's \`lookups\` (declared: ${known})` };
    }
    spec = { [path[0]!]: LOOKUP_FIELDS };
  }
  let node: PathSpec = spec;
  for (const [i, key] of path.entries()) {
    if (node === 'open') return { ok: true };
    if (node === 'leaf') {
      return {
        ok: false,
        code: 'fact_path_on_scalar',
        message: `"${[fact, ...path.slice(0, i)].join('.')}" is a plain value; it has no "${key}"`,
      };
    }
    const child: PathSpec | undefined = Object.hasOwn(node, key) ? node[key] : undefined;
    if (child === undefined) {
      return {
        ok: false,
        code: 'fact_path_unknown',
        message: `"${[fact, ...path.slice(0, i + 1)].join('.')}" does not exist; "${[fact, ...path.slice(0, i)].join('.')}" has: ${Object.keys(node).join(', ')}`,
      };
    }
    node = child;
  }
  return { ok: true };
}

/** Reads a dotted path; `undefined` means the path does not exist (as opposed to an explicit null). */
export function readPath(value: unknown, path: readonly string[]): unknown {
  let cur: unknown = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export type Facts = Record<string, unknown>;

/** What happened to identity in this turn, for `auth.change` and the `on` handlers. */
export type IdentityChange = 'authenticated' | 'identified' | 'cleared' | 'conflict' | null;

/**
 * The widget fields the `widget` fact reads; a CompiledWidget fits. Named here rather than imported, because
 * compile-widget.ts checks template facts with this file, and the import back would be a cycle.
 */
export interface WidgetFactSource {
  id: string;
  name: string | null;
  onboarding: OnboardingType;
  loginUrl: string | null;
  features: { transcript: boolean; rating: boolean };
}

export interface FactInputs {
  state: ConversationState;
  widget: WidgetFactSource;
  event: TurnEvent;
  nowSeconds: number;
  change: IdentityChange;
  rejection: string | null;
  /** The matcher's intent when the message carried none from the runtime. */
  matched?: { name: string; confidence: number } | null;
}

const SPACE = /\s/;

/** The first word of a name: what `name.trim().split(/\s+/)[0]` gives (null when empty), without the array. */
function firstName(name: string | null): string | null {
  if (name === null || name === undefined) return null;
  const trimmed = name.trim();
  const m = SPACE.exec(trimmed);
  const first = m ? trimmed.slice(0, m.index) : trimmed;
  return first ? first : null;
}

const PROFILE_KEYS = ['match', 'id', 'name', 'email', 'phone', 'externalId', 'attributes'];

/**
 * `{ ...profile, firstName }`, the same keys in the same order: a spread followed by a new key takes V8's slow
 * path (~1 µs, on every fact build). A profile with exactly the known keys is copied by a literal; any other
 * by Object.assign (same result), except one with an own `__proto__` key, which Object.assign would turn into
 * a prototype, so that (never seen) case keeps the spread.
 */
function withFirstName(profile: ConversationState['profile']): Record<string, unknown> {
  const first = firstName(profile.name);
  let i = 0;
  let known = true;
  for (const k in profile) if (k !== PROFILE_KEYS[i++]) known = false;
  if (known && i === PROFILE_KEYS.length && Object.getOwnPropertySymbols(profile).length === 0) {
    return { match: profile.match, id: profile.id, name: profile.name, email: profile.email, phone: profile.phone, externalId: profile.externalId, attributes: profile.attributes, firstName: first };
  }
  if (Object.hasOwn(profile, '__proto__')) return { ...profile, firstName: first };
  const out: Record<string, unknown> = Object.assign<Record<string, unknown>, typeof profile>({}, profile);
  out.firstName = first;
  return out;
}

/** Builds every fact from the state after the event's identity changes; missing values are explicit nulls. */
export function buildFacts({ state, widget, event, nowSeconds, change, rejection, matched }: FactInputs): Facts {
  const id = state.identity;
  const message =
    event.type === 'message'
      ? {
          text: event.text,
          intent: event.intent?.name ?? matched?.name ?? null,
          confidence: event.intent ? (event.intent.confidence ?? null) : (matched?.confidence ?? null),
          entities: event.entities ?? {},
          event: event.type,
        }
      : { text: null, intent: null, confidence: null, entities: {}, event: event.type };
  return {
    auth: {
      status: id.status,
      method: id.method,
      trusted: isTrustedAt(id, nowSeconds),
      email: id.email,
      phone: id.phone,
      name: id.name,
      firstName: firstName(id.name),
      externalId: id.externalId,
      expiresAt: id.tokenExpiresAt,
      issuer: id.tokenIssuer,
      change,
      rejection,
    },
    onboarding: {
      type: state.onboarding.type,
      completed: state.onboarding.completed,
      skipped: state.onboarding.skipped,
      formRequested: state.onboarding.formRequested,
    },
    profile: withFirstName(state.profile),
    scenario: state.scenario,
    message,
    slots: { ...state.slots },
    conversation: {
      turn: state.turn,
      routed: state.routed,
      queue: state.queue,
      step: state.step,
      status: state.status,
      tags: [...state.tags],
      event: event.type,
      context: state.context,
    },
    widget: {
      id: widget.id,
      name: widget.name,
      onboarding: widget.onboarding,
      loginUrl: widget.loginUrl,
      transcript: widget.features.transcript,
      rating: widget.features.rating,
    },
    lookup: { ...state.lookups },
  };
}
