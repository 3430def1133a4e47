// Reads a conversation state back from a store row: JSON, validated against the core's schema, or a clear error.
import { ConversationStateSchema } from '../core/state.schema.ts';
import type { ConversationState } from '../core/state.ts';
import { StoreError } from './store-error.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The core trusts the state it is given, so a row edited by hand, truncated or written by a newer threadgate
 * must stop here, as StoreError `state_invalid`, instead of failing somewhere inside a turn. States stored
 * before lookups existed have no `lookups`: they are read as having none, as the core's draftOf does.
 */
export function decodeState(value: unknown, conversationId: string): ConversationState {
  const withDefaults = isObject(value) && !('lookups' in value) ? { ...value, lookups: {} } : value;
  const parsed = ConversationStateSchema.safeParse(withDefaults);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'not a state';
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : '';
  throw new StoreError('state_invalid', `conversation ${conversationId}: the stored state is not valid, ${where}${more}.`);
}

/** For stores that keep the state as JSON text (SQLite): text that does not parse is `state_invalid` too. */
export function decodeStateJson(text: string, conversationId: string): ConversationState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StoreError('state_invalid', `conversation ${conversationId}: the stored state is not valid JSON.`);
  }
  return decodeState(value, conversationId);
}
