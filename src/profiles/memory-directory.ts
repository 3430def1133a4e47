// An in-memory profile repository, for tests and the runtime's examples; passes the stores' profile contract.
import type { ProfileRecord } from '../core/events.ts';
import type { ProfileDraft } from '../core/outputs.ts';
import { keyLabel, lookupsFor, lookupsOf, profileKeysOf, type KeyLookup, type StoredProfile } from '../store/profile-keys.ts';
import { StoreError } from '../store/store-error.ts';
import type { ProfileRepository, PutResult } from '../store/store.port.ts';
import { isoTimestamp } from '../store/timestamps.ts';
import type { ContactKeys } from './profile-directory.ts';

export interface ProfileSeed {
  id: string;
  name?: string | null;
  emails?: string[];
  phones?: string[];
  externalId?: string | null;
  attributes?: Record<string, unknown>;
}

/**
 * Keys are normalised by the stores' own profile-keys.ts, so a key means the same here as in SQLite and
 * PostgreSQL. Every method body is synchronous: a create checks and inserts with no await in between, so
 * concurrent first contacts cannot race.
 */
export class MemoryProfileDirectory implements ProfileRepository {
  private readonly byId = new Map<string, StoredProfile>();
  /** keyLabel (`email:a@example.com`) → id of the profile that owns it. */
  private readonly owners = new Map<string, string>();

  /** Seeds whose keys collide are a mistake in the test, not a refusal to answer: they throw. */
  constructor(seeds: ProfileSeed[] = []) {
    for (const s of seeds) {
      const r = this.write(s);
      if (!r.ok) throw new Error(`profile ${s.id}: ${r.key} already belongs to profile ${r.takenBy}`);
    }
  }

  get size(): number {
    return this.byId.size;
  }

  async find(keys: ContactKeys): Promise<ProfileRecord | null> {
    return this.firstOwner(lookupsFor(keys));
  }

  /** Returns the owner of any of the draft's keys instead of a duplicate, as the stores do. */
  async create(draft: ProfileDraft): Promise<ProfileRecord> {
    const keys = profileKeysOf(draft);
    const existing = this.firstOwner(lookupsOf(keys));
    if (existing) return existing;
    if (this.byId.has(draft.id)) throw new StoreError('value_invalid', `profile ${draft.id}: the id is already taken by a profile with other keys.`);
    this.write({ id: draft.id, name: draft.name ?? null, ...keys });
    return this.copy(draft.id)!;
  }

  async get(id: string): Promise<ProfileRecord | null> {
    return this.copy(id);
  }

  async put(profile: ProfileRecord, now: string): Promise<PutResult> {
    isoTimestamp(now, 'now');
    return this.write(profile);
  }

  async list(limit: number, after?: string): Promise<ProfileRecord[]> {
    if (!Number.isInteger(limit) || limit < 0) throw new StoreError('value_invalid', `limit must be a non-negative integer, got ${limit}.`);
    // Code-unit order, as SQLite's BINARY and PostgreSQL's C collation of the ids.
    const ids = [...this.byId.keys()].filter((id) => after === undefined || id > after).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return ids.slice(0, limit).map((id) => this.copy(id)!);
  }

  /** Creates or replaces a profile with its whole key set, unless a key belongs to another profile. */
  private write(p: ProfileSeed): PutResult {
    const keys = profileKeysOf(p);
    const labels = lookupsOf(keys).map(keyLabel);
    for (const label of labels) {
      const owner = this.owners.get(label);
      if (owner !== undefined && owner !== p.id) return { ok: false, takenBy: owner, key: label };
    }
    // Replace the key set: keys removed must stop matching this profile.
    const previous = this.byId.get(p.id);
    if (previous) for (const k of lookupsOf(profileKeysOf(previous))) this.owners.delete(keyLabel(k));
    this.byId.set(p.id, { id: p.id, name: p.name ?? null, ...keys, attributes: structuredClone(p.attributes ?? {}) });
    for (const label of labels) this.owners.set(label, p.id);
    return { ok: true };
  }

  private firstOwner(lookups: KeyLookup[]): ProfileRecord | null {
    for (const k of lookups) {
      const owner = this.owners.get(keyLabel(k));
      if (owner !== undefined) return this.copy(owner);
    }
    return null;
  }

  /** A copy, so a caller editing what it got cannot change the directory. */
  private copy(id: string): StoredProfile | null {
    const p = this.byId.get(id);
    return p ? structuredClone(p) : null;
  }
}
