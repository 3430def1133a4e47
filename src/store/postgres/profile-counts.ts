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

/** How many conversations' counts an instance remembers; past that the least recently used is dropped. */
export const PROFILE_COUNTS_MAX = 10_000;

/** A bounded map from conversation id to its last known count; a Map keeps insertion order, so re-inserting on use makes it an LRU. */
export class ProfileCountMemory {
  private readonly byConversation = new Map<string, KnownCount>();

  constructor(private readonly max: number = PROFILE_COUNTS_MAX) {}

  get size(): number {
    return this.byConversation.size;
  }

  get(conversationId: string): KnownCount | undefined {
    return this.byConversation.get(conversationId);
  }

  /** Stores (or refreshes) the entry as the most recently used one. */
  remember(conversationId: string, known: KnownCount): void {
    this.byConversation.delete(conversationId);
    this.byConversation.set(conversationId, known);
    if (this.byConversation.size > this.max) {
      const oldest = this.byConversation.keys().next();
      if (!oldest.done) this.byConversation.delete(oldest.value);
    }
  }
}
