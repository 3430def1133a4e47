// A transcript's earlier conversations of its profiles (setup.pastConversations): stored before the one it replays.
import { ThreadgateError } from '../core/errors.ts';
import { initialState } from '../core/state.ts';
import type { Store } from '../store/store.port.ts';

/**
 * Stores `n` closed conversations matched to each profile, one minute apart, ending an hour before the transcript's
 * clock, so the conversation it replays counts them as the profile's past conversations. They are bare records (no
 * timeline): only their profile, status and creation time matter to what a transcript can observe.
 */
export async function seedPastConversations(store: Store, counts: Record<string, number>, profiles: ReadonlySet<string>, clock: number): Promise<void> {
  for (const [profileId, n] of Object.entries(counts)) {
    if (!profiles.has(profileId)) throw new ThreadgateError('config_invalid', `setup.pastConversations: "${profileId}" is not a profile of setup.profiles`);
    for (let i = 0; i < n; i++) {
      const createdAt = new Date(clock - 3_600_000 - (n - i) * 60_000).toISOString();
      const base = initialState('past', { id: 'past', onboarding: 'none' }, createdAt);
      const state = { ...base, status: 'closed' as const, scenario: 'standard' as const, identity: { ...base.identity, status: 'identified' as const, method: 'code' as const }, profile: { ...base.profile, match: 'matched' as const, id: profileId } };
      const id = `past-${profileId}-${i + 1}`;
      await store.conversations.create({ id, widgetId: 'past', threadId: 'past', threadVersion: 1, state, status: 'closed', scenario: 'standard', authStatus: 'identified', onboardingType: 'none', createdAt });
    }
  }
}
