// A Map with a size bound: setting a key makes it the newest, and past the bound the oldest entry goes.

/**
 * Insertion order is age (a Map iterates in insertion order), so re-setting a key moves it to the end and the first
 * key is the oldest. `get` does not refresh: callers that want least-recently-used order set again on use.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`a BoundedMap holds at least 1 entry, got ${max}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, value);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
