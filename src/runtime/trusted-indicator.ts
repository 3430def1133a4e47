// The Trusted Message indicator an agent sees next to a customer message (seed 000): green while open, gray once closed, none when untrusted.
import type { ConversationStatus } from '../core/state.ts';
import type { TimelineEntry } from '../store/store.port.ts';

/** The icons an agent can see; no icon is null. */
export const TRUSTED_INDICATORS = ['green', 'gray'] as const;
export type TrustedIndicator = (typeof TRUSTED_INDICATORS)[number] | null;

/**
 * "The green trusted message icon indicates that the Customer logged in to the account they're chatting from …
 * Trusted messages on closed Conversations display a gray trusted message icon and non-trusted messages appear
 * without the icon." Only customer messages carry one; bot and system lines never do.
 */
export function trustedIndicator(entry: Pick<TimelineEntry, 'from' | 'trusted'>, status: ConversationStatus): TrustedIndicator {
  if (entry.from !== 'customer' || entry.trusted !== true) return null;
  return status === 'closed' ? 'gray' : 'green';
}
