// What this instance last counted of a profile's conversations before a conversation, with the profile's stamp then, so the count runs only when that stamp moved.

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

/** How many conversations' counts an instance remembers (a BoundedMap, refreshed on every read it answers). */
export const PROFILE_COUNTS_MAX = 10_000;
