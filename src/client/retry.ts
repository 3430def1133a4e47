// When a start or turn is resent with the same Idempotency-Key, and how long to wait first: bounded, jittered exponential backoff.

export interface RetryPolicy {
  /** Resends after the first attempt (default 3): a call makes at most retries + 1 attempts. */
  retries: number;
  /** The first wait's upper bound in ms (default 100); each next one doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 100, maxDelayMs: 2000 };

/** The codes after which a resend with the same key is safe and may succeed: nothing was applied, or the answer was lost. */
export const RESEND_CODES: ReadonlySet<string> = new Set(['version_conflict', 'network_error']);

/** "Full jitter": a random wait between 0 and the exponential bound, so clients that collided do not collide again in step. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * bound);
}

/** Waits ms, or stops early (resolving) when the signal aborts; the caller checks the signal afterwards. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
