// One queue per conversation in this instance: its turns run one after another in arrival order, other conversations' side by side.

/** What a queued call answers: its value, or that it waited longer than it may (and was never run). */
export type Queued<T> = { ok: true; value: T } | { ok: false; reason: 'wait_timeout' };

/** What a running call learns about its place in the queue. */
export interface QueuePlace {
  /** This call, as the `previous` its successor will see. */
  readonly self: object;
  /** The call right before this one under the key (still running, or handed on), or null when there was none. */
  readonly previous: object | null;
  /** Settles once every earlier call under the key has settled (at once when there were none). */
  readonly earlier: Promise<void>;
  /**
   * Lets the next call start before this one settles (a turn whose write is queued: the next one may be evaluated
   * on its state). Without it the next call starts when this one settles.
   */
  handOn(): void;
}

interface Entry {
  token: object;
  /** Settles when the call hands on or settles, whichever is first: the next call starts then. */
  ready: Promise<void>;
  /** Settles when the call and every call before it have settled. */
  done: Promise<void>;
  /** `done` has settled (read synchronously when the call leaves). */
  allSettled: boolean;
}

/**
 * A map from key to the tail of its queue. An entry exists only while work under the key is queued or running,
 * so memory follows the busy conversations, not all of them. A call that fails (rejects) still hands on to the
 * next; a call that times out waiting leaves the queue without running and without reordering the rest.
 */
export class ConversationQueue {
  private readonly tails = new Map<string, Entry>();

  /** How many keys have work queued or running now. */
  get size(): number {
    return this.tails.size;
  }

  /**
   * Runs `fn` once the call before it under `key` has settled or handed on. `waitMs` bounds the wait for it; `fn`
   * gets the milliseconds left of it, so a wait that follows (a database lock) can spend the rest of the same budget.
   */
  async run<T>(key: string, waitMs: number, fn: (leftMs: number, place: QueuePlace) => Promise<T>): Promise<Queued<T>> {
    const deadline = performance.now() + waitMs;
    const before = this.tails.get(key);
    let handOn!: () => void;
    let settle!: () => void;
    const ready = new Promise<void>((resolve) => (handOn = resolve));
    const own = new Promise<void>((resolve) => (settle = resolve));
    const earlier = before ? before.done : Promise.resolve();
    const mine: Entry = { token: {}, ready, done: Promise.all([own, earlier]).then(() => undefined), allSettled: false };
    void mine.done.then(() => (mine.allSettled = true));
    this.tails.set(key, mine);
    const forget = () => {
      if (this.tails.get(key) === mine) this.tails.delete(key);
    };
    const leave = () => {
      handOn();
      settle();
      // Forgotten now when nothing before it is still running (the usual case), else once everything before it settled.
      if (!before || before.allSettled) forget();
      else void mine.done.then(forget);
    };
    if (before && !(await this.waitFor(before.ready, waitMs))) {
      // Timed out: the turns behind this one still wait for the ones ahead of it, so order holds.
      void before.done.then(leave);
      return { ok: false, reason: 'wait_timeout' };
    }
    try {
      const place: QueuePlace = { self: mine.token, previous: before?.token ?? null, earlier, handOn };
      return { ok: true, value: await fn(Math.max(0, deadline - performance.now()), place) };
    } finally {
      leave();
    }
  }

  /** Whether `before` settled within `ms`; the timer does not keep the process alive. */
  waitFor(before: Promise<void>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
      timer.unref();
    });
    return Promise.race([before.then(() => true), expired]).finally(() => clearTimeout(timer));
  }
}
