// What this instance last counted of a profile's conversations before a conversation, with the profile's stamp then, so the count runs only when that stamp moved.
import { BoundedMap } from '../../bounded-map.ts';

/**
 * "At stamp `stamp` of `profileId`, `count` of its conversations sort before (createdAt, conversation id)": true for
 * ever once read in one snapshot, because every change to which conversations a profile has (or where they sort)
 * moves its stamp in the same transaction (migration 8's triggers) and a stamp never repeats.
 */
export interface KnownCount {
  profileId: string;
  /** The bound's created_at as the port writes it (toISOString). */
  createdAt: string;
  /** BIGINT as pg returns it: a decimal string. */
  stamp: string;
  count: number;
}

/** How many conversations' counts an instance remembers; past that the least recently used is dropped. */
export const PROFILE_COUNTS_MAX = 10_000;

/** From conversation id to its last known count; `remember` refreshes, so the least recently used goes first. */
export class ProfileCountMemory extends BoundedMap<string, KnownCount> {
  constructor(max: number = PROFILE_COUNTS_MAX) {
    super(max);
  }

  /** Stores (or refreshes) the entry as the most recently used one. */
  remember(conversationId: string, known: KnownCount): void {
    this.set(conversationId, known);
  }
}
