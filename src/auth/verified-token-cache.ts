// A bounded cache of tokens this verifier already verified with a configured key, valid only inside the window in which verifying again must pass.
import type { VerifiedIdentity } from '../core/events.ts';
import { BoundedMap } from '../bounded-map.ts';

interface Entry {
  identity: VerifiedIdentity;
  /** Epoch ms of the verification: a clock that went back before it verifies again (nbf, a future iat). */
  verifiedAt: number;
  /** Epoch ms from which the token could fail (exp, or iat + maxTokenAge), whichever is first. */
  until: number;
}

/** How many tokens one widget's verifier remembers; a token is ≤ maxTokenBytes, so this bounds the memory. */
export const VERIFIED_TOKEN_CACHE_SIZE = 1024;

/**
 * Keyed by the exact token string, so a different string (another token, or the same one re-encoded: signatures
 * are malleable) is verified on its own. An entry answers only for `now` in [verifiedAt, until): there jose would
 * accept the token again with the same keys (exp still ahead without the clock tolerance, iat + maxTokenAge still
 * ahead, nbf already passed). Keys come from the widget's settings and a changed widget gets a new verifier, so no
 * entry outlives the key that verified it. Oldest entries go first when full.
 */
export class VerifiedTokenCache {
  private readonly entries: BoundedMap<string, Entry>;

  constructor(
    private readonly maxTokenAgeSeconds: number,
    size = VERIFIED_TOKEN_CACHE_SIZE,
  ) {
    this.entries = new BoundedMap(size);
  }

  get(token: string, now: Date): VerifiedIdentity | null {
    const entry = this.entries.get(token);
    if (!entry) return null;
    const t = now.getTime();
    if (t < entry.verifiedAt || t >= entry.until) {
      this.entries.delete(token);
      return null;
    }
    // A copy: the caller puts the identity into an event and a state, which must not alias the cache.
    return { ...entry.identity };
  }

  set(token: string, identity: VerifiedIdentity, now: Date): void {
    const until = Math.min(identity.expiresAt * 1000, (identity.issuedAt + this.maxTokenAgeSeconds) * 1000);
    const t = now.getTime();
    if (!(until > t)) return;
    this.entries.set(token, { identity: { ...identity }, verifiedAt: t, until });
  }

  get length(): number {
    return this.entries.size;
  }
}
