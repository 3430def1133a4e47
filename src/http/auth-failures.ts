// The limit on failed authentications per client address: wrong or missing keys are slowed down, valid keys never.

export interface AuthFailureOptions {
  /** Failed authentications one address may make per window before it gets 429 (default 30). */
  perWindow?: number;
  windowMs?: number;
  /** Addresses tracked at once; past it new failing addresses are refused (fail closed), valid keys still pass. */
  maxAddresses?: number;
}

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * A fixed window per address. Only failures count and only failures are refused, so a valid key from a busy address
 * (a NAT, a proxy shared with an attacker) keeps working while guesses from that address are answered 429.
 */
export class AuthFailureLimiter {
  readonly perWindow: number;
  readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly windows = new Map<string, Window>();

  constructor(opts: AuthFailureOptions = {}) {
    this.perWindow = opts.perWindow ?? 30;
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxAddresses = opts.maxAddresses ?? 100_000;
  }

  /**
   * Records one failed authentication from `address` at `now` (ms). Answers null while the address is within the
   * limit, or the seconds until its window ends when this failure is over the limit (send 429 with Retry-After).
   */
  fail(address: string, now: number): number | null {
    let w = this.windows.get(address);
    if (w && now - w.startedAt >= this.windowMs) {
      this.windows.delete(address);
      w = undefined;
    }
    if (!w) {
      if (this.windows.size >= this.maxAddresses) this.sweep(now);
      if (this.windows.size >= this.maxAddresses) return Math.ceil(this.windowMs / 1000);
      w = { startedAt: now, failures: 0 };
      this.windows.set(address, w);
    }
    w.failures += 1;
    return w.failures > this.perWindow ? Math.max(1, Math.ceil((w.startedAt + this.windowMs - now) / 1000)) : null;
  }

  private sweep(now: number): void {
    for (const [address, w] of this.windows) if (now - w.startedAt >= this.windowMs) this.windows.delete(address);
  }
}
