// Group commit: writes submitted while the event loop is busy share one SQLite transaction and its fsync.
import type { Database } from 'better-sqlite3';

type Outcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/** How many writes have shared how many commits, for tests and metrics. */
export interface GroupCommitStats {
  commits: number;
  writes: number;
  largest: number;
}

/**
 * Collects the writes submitted in one turn of the event loop and applies them in one IMMEDIATE transaction,
 * each inside its own savepoint (better-sqlite3 nests a transaction function as a savepoint), so a write that
 * throws rolls back alone and the others still commit. Every promise settles only after the COMMIT has
 * returned, which under `synchronous = FULL` means after the fsync: nothing is acknowledged that a crash can lose.
 * A failed COMMIT rejects the whole batch, and none of it is on disk.
 */
export class GroupCommit<I, O> {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;
  private readonly batch;
  readonly stats: GroupCommitStats = { commits: 0, writes: 0, largest: 0 };

  constructor(
    db: Database,
    apply: (item: I) => O,
    /** A bound on a batch, so one commit never holds the writer for long. */
    private readonly maxBatch = 64,
    /** Told of each write once its batch committed (true) or failed (false), before any promise of it settles. */
    private readonly settled: (item: I, committed: boolean) => void = () => {},
  ) {
    const one = db.transaction(apply);
    this.batch = db.transaction((items: I[]): Outcome<O>[] =>
      items.map((item) => {
        try {
          return { ok: true, value: one(item) };
        } catch (error) {
          // SQLite rolls the whole transaction back on some errors (disk full, I/O): then the batch fails as one.
          if (!db.inTransaction) throw error;
          return { ok: false, error };
        }
      }),
    );
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: requests whose bodies were parsed in this loop turn join the batch.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const pending = this.queue.splice(0, this.maxBatch);
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    let outcomes: Outcome<O>[];
    try {
      outcomes = this.batch.immediate(pending.map((p) => p.item));
    } catch (error) {
      for (const p of pending) this.settled(p.item, false);
      for (const p of pending) p.reject(error);
      return;
    }
    for (const p of pending) this.settled(p.item, true);
    this.stats.commits += 1;
    this.stats.writes += pending.length;
    this.stats.largest = Math.max(this.stats.largest, pending.length);
    outcomes.forEach((o, i) => (o.ok ? pending[i]!.resolve(o.value) : pending[i]!.reject(o.error)));
  }
}
