// One queue per conversation in this instance: its turns run one after another in arrival order, other conversations' side by side.

/** What a queued call answers: its value, or that it waited longer than it may (and was never run). */
export type Queued<T> = { ok: true; value: T } | { ok: false; reason: 'wait_timeout' };

/**
 * A map from key to the tail of its queue. An entry exists only while work under the key is queued or running,
 * so memory follows the busy conversations, not all of them. A call that fails (rejects) still hands on to the
 * next; a call that times out waiting leaves the queue without running and without reordering the rest.
 */
export class ConversationQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** How many keys have work queued or running now. */
  get size(): number {
    return this.tails.size;
  }

  /**
   * Runs `fn` once every earlier call under `key` has settled. `waitMs` bounds the wait for them; `fn` gets the
   * milliseconds left of it, so a wait that follows (a database lock) can spend the rest of the same budget.
   */
  async run<T>(key: string, waitMs: number, fn: (leftMs: number) => Promise<T>): Promise<Queued<T>> {
    const deadline = performance.now() + waitMs;
    const before = this.tails.get(key);
    let settle!: () => void;
    const mine = new Promise<void>((resolve) => (settle = resolve));
    this.tails.set(key, mine);
    const leave = () => {
      settle();
      if (this.tails.get(key) === mine) this.tails.delete(key);
    };
    if (before && !(await this.waitFor(before, waitMs))) {
      // Timed out: the turns behind this one still wait for the ones ahead of it, so order holds.
      void before.then(leave);
      return { ok: false, reason: 'wait_timeout' };
    }
    try {
      return { ok: true, value: await fn(Math.max(0, deadline - performance.now())) };
    } finally {
      leave();
    }
  }

  /** Whether `before` settled within `ms`; the timer does not keep the process alive. */
  private waitFor(before: Promise<void>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
      timer.unref();
    });
    return Promise.race([before.then(() => true), expired]).finally(() => clearTimeout(timer));
  }
}
