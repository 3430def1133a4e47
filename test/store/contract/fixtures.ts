// Shared helpers of the store contract: a fresh store per test, timestamps, states and conversation records.
import { afterEach, beforeEach } from 'vitest';
import { initialState, type AuthStatus, type ConversationState, type ConversationStatus, type Scenario } from '../../../src/core/state.ts';
import type { OnboardingType } from '../../../src/core/widget.schema.ts';
import type { ConversationRecord, Store } from '../../../src/store/store.port.ts';

/** Must return a new, empty store each time it is called. */
export type OpenStore = () => Promise<Store>;

export const T0 = Date.parse('2026-11-23T10:00:00.000Z');

/** An ISO timestamp `minutes` after T0 (negative for before). */
export const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

/** Opens a fresh store before each test and closes it after; `store()` reads the current one. */
export function useStore(open: OpenStore): () => Store {
  let current: Store | null = null;
  beforeEach(async () => {
    current = await open();
  });
  afterEach(async () => {
    await current?.close();
    current = null;
  });
  return () => {
    if (!current) throw new Error('no store open');
    return current;
  };
}

export interface StateShape {
  status?: ConversationStatus;
  scenario?: Scenario;
  auth?: AuthStatus;
  onboarding?: OnboardingType;
  widgetId?: string;
  step?: string;
}

export function stateWith(s: StateShape = {}, now = at(0)): ConversationState {
  const base = initialState('t1', { id: s.widgetId ?? 'w1', onboarding: s.onboarding ?? 'none' }, now);
  return {
    ...base,
    status: s.status ?? base.status,
    scenario: s.scenario ?? base.scenario,
    step: s.step ?? base.step,
    identity: { ...base.identity, status: s.auth ?? base.identity.status },
  };
}

export function newConversation(id: string, s: StateShape & { createdAt?: string } = {}): Omit<ConversationRecord, 'version' | 'updatedAt'> {
  const state = stateWith(s, s.createdAt);
  return {
    id,
    widgetId: state.widgetId,
    threadId: 't1',
    threadVersion: 1,
    state,
    status: state.status,
    scenario: state.scenario,
    authStatus: state.identity.status,
    onboardingType: state.onboarding.type,
    createdAt: s.createdAt ?? at(0),
  };
}

/** Creates a conversation and fails the test unless the store accepted it. */
export async function create(store: Store, id: string, s: StateShape & { createdAt?: string } = {}): Promise<ConversationRecord> {
  const r = await store.createConversation(newConversation(id, s));
  if (!r.ok) throw new Error(`createConversation(${id}) answered ${r.reason}`);
  return r.conversation;
}
