// The runtime around the pure core: verify tokens at the edge, look up profiles, evaluate, carry out effects.
import type { TokenVerifier } from '../auth/verify-token.ts';
import type { CompiledThread } from '../core/compile.ts';
import type { CompiledWidget } from '../core/compile-widget.ts';
import { evaluateTurn } from '../core/evaluate-turn.ts';
import type { ProfileRecord, TokenResult } from '../core/events.ts';
import { normalizeUser } from '../core/identity.ts';
import type { TurnResult } from '../core/outputs.ts';
import type { ConversationState } from '../core/state.ts';
import type { ContactKeys, ProfileDirectory } from '../profiles/profile-directory.ts';

export interface RuntimeDeps {
  directory: ProfileDirectory;
  /** The verifier of a widget's User Identity JWTs, or null when the widget has no JWT settings. */
  verifierFor: (widget: CompiledWidget) => TokenVerifier | null;
  newId: () => string;
}

/** An event as a caller sends it: `token` is the raw JWT string, never a pre-verified result. */
export type EdgeEvent = Record<string, unknown> & { type: string; token?: unknown };

export interface RunTurnResult extends TurnResult {
  /** Profiles the turn created in the directory. */
  created: ProfileRecord[];
}

const NOT_CONFIGURED: TokenResult = { ok: false, reason: 'jwt_not_configured', message: 'This widget has no JWT settings, so identity tokens cannot be verified.' };

async function verify(deps: RuntimeDeps, widget: CompiledWidget, token: unknown, now: Date): Promise<TokenResult> {
  if (typeof token !== 'string') return { ok: false, reason: 'malformed', message: 'The token must be a compact JWT string.' };
  const verifier = deps.verifierFor(widget);
  if (!verifier) return NOT_CONFIGURED;
  const v = await verifier.verify(token, now);
  return v.ok ? { ok: true, identity: v.identity } : { ok: false, reason: v.reason, message: v.message };
}

/** The contact keys the event is about to establish, so the directory can be asked before the core decides. */
function contactKeys(event: Record<string, unknown>, token: TokenResult | undefined, widget: CompiledWidget): ContactKeys | null {
  if (token?.ok) return { email: token.identity.email, phone: token.identity.phone, externalId: token.identity.subject };
  const user = (event.type === 'submit_form' ? event.fields : event.user) as Record<string, string> | undefined;
  if (!user || typeof user !== 'object') return null;
  const { user: n } = normalizeUser({ email: user.email, phone: user.phone, externalId: user.externalId }, widget.defaultCountry);
  return n.email || n.phone || n.externalId ? n : null;
}

/**
 * One turn: verifies a raw token, looks the identity up in the directory, runs the core, then creates
 * the profiles the core asked for. A profile created concurrently by another turn is adopted, not duplicated.
 */
export async function runTurn(
  deps: RuntimeDeps,
  thread: CompiledThread,
  widget: CompiledWidget,
  state: ConversationState,
  edge: EdgeEvent,
  now: Date,
): Promise<RunTurnResult> {
  const event: Record<string, unknown> = { ...edge };
  delete event.profile;
  let token: TokenResult | undefined;
  if ('token' in edge && edge.token !== undefined && ['start', 'message', 'authenticate'].includes(edge.type)) {
    token = await verify(deps, widget, edge.token, now);
    event.token = token;
  }
  const keys = contactKeys(event, token, widget);
  if (keys) event.profile = await deps.directory.find(keys);

  const result = await evaluateTurn(thread, state, event, { now, newId: deps.newId, widget });
  const created: ProfileRecord[] = [];
  for (const out of result.outputs) {
    if (out.type !== 'effect' || out.effect !== 'create_profile') continue;
    const record = await deps.directory.create(out.profile);
    created.push(record);
    if (record.id !== out.profile.id && result.state.profile.id === out.profile.id) {
      // Another turn created this customer first: point the conversation at that profile.
      result.state.profile = { ...result.state.profile, id: record.id, match: result.state.profile.match === 'conflict' ? 'conflict' : 'matched' };
    }
  }
  return { ...result, created };
}
