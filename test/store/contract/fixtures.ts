// Shared helpers of the store contract: a fresh store per test, timestamps, states and conversation records.
import { afterEach, beforeEach } from 'vitest';
import { initialState, type AuthStatus, type ConversationState, type ConversationStatus, type Scenario } from '../../../src/core/state.ts';
import type { OnboardingType } from '../../../src/core/widget.schema.ts';
import type { ConversationRecord, NewConversation, ProfileRepository, Store } from '../../../src/store/store.port.ts';

/** Must return a new, empty store each time it is called. */
export type OpenStore = () => Promise<Store>;

export const T0 = Date.parse('2026-11-23T10:00:00.000Z');

/** An ISO timestamp `minutes` after T0 (negative for before). */
export const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

/** Must return a new, empty profile repository each time, with what closes it (a Store is one). */
export type OpenProfiles = () => Promise<{ profiles: ProfileRepository; close(): Promise<void> }>;

/** Opens a fresh store before each test and closes it after; `store()` reads the current one. */
export function useStore(open: OpenStore): () => Store {
  return useFresh(open);
}

/** Opens something fresh before each test and closes it after; the function returned reads the current one. */
export function useFresh<T extends { close(): Promise<void> }>(open: () => Promise<T>): () => T {
  let current: T | null = null;
  beforeEach(async () => {
    current = await open();
  });
  afterEach(async () => {
    await current?.close();
    current = null;
  });
  return () => {
    if (!current) throw new Error('nothing open: call it inside a test');
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
  /** The profile the state is matched to (`profile.id`, match `matched`); null: none. */
  profileId?: string | null;
}

export function stateWith(s: StateShape = {}, now = at(0)): ConversationState {
  const base = initialState('t1', { id: s.widgetId ?? 'w1', onboarding: s.onboarding ?? 'none' }, now);
  return {
    ...base,
    status: s.status ?? base.status,
    scenario: s.scenario ?? base.scenario,
    step: s.step ?? base.step,
    identity: { ...base.identity, status: s.auth ?? base.identity.status },
    profile: s.profileId ? { ...base.profile, match: 'matched', id: s.profileId } : base.profile,
  };
}

export function newConversation(id: string, s: StateShape & { createdAt?: string } = {}): NewConversation {
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
  const r = await store.conversations.create(newConversation(id, s));
  if (!r.ok) throw new Error(`createConversation(${id}) answered ${r.reason}`);
  return r.conversation;
}
