// The profile directory and the admin profile operations on PostgreSQL, race-free across instances.
import type { ProfileRecord } from '../../core/events.ts';
import type { ProfileDraft } from '../../core/outputs.ts';
import type { ContactKeys } from '../../profiles/profile-directory.ts';
import { keyLabel, lookupsFor, lookupsOf, profileKeysOf, type KeyLookup, type ProfileKeys, type StoredProfile } from '../profile-keys.ts';
import { StoreError } from '../store-error.ts';
import type { ProfileRepository, PutResult } from '../store.port.ts';
import { isoTimestamp } from '../timestamps.ts';
import { pgCode, Rollback, transaction, type Queryable } from './connection.ts';
import type { PgDb } from './turn-scope.ts';

interface ProfileRow {
  id: string;
  name: string | null;
  external_id: string | null;
  attributes: Record<string, unknown>;
  emails: string[];
  phones: string[];
}

const SELECT_PROFILE = `
  SELECT p.id, p.name, p.external_id, p.attributes,
    coalesce((SELECT json_agg(email ORDER BY position) FROM profile_emails WHERE profile_id = p.id), '[]'::json) AS emails,
    coalesce((SELECT json_agg(phone ORDER BY position) FROM profile_phones WHERE profile_id = p.id), '[]'::json) AS phones
  FROM profiles p`;

const toProfile = (r: ProfileRow): StoredProfile => ({ id: r.id, name: r.name, emails: r.emails, phones: r.phones, externalId: r.external_id, attributes: r.attributes });

const OWNER_OF: Record<KeyLookup['kind'], string> = {
  externalId: 'SELECT id AS owner FROM profiles WHERE external_id = $1',
  email: 'SELECT profile_id AS owner FROM profile_emails WHERE email = $1',
  phone: 'SELECT profile_id AS owner FROM profile_phones WHERE phone = $1',
};

async function ownerOf(q: Queryable, k: KeyLookup): Promise<string | null> {
  return (await q.query<{ owner: string }>(OWNER_OF[k.kind], [k.value])).rows[0]?.owner ?? null;
}

/** A lost race on a unique key: another instance committed the same email, phone or external id first. */
const LOST_RACE = Symbol('lost race');

export class PostgresProfiles implements ProfileRepository {
  constructor(private readonly db: PgDb) {}

  async get(id: string, q: Queryable = this.db): Promise<StoredProfile | null> {
    const row = (await q.query<ProfileRow>(`${SELECT_PROFILE} WHERE p.id = $1`, [id])).rows[0];
    return row ? toProfile(row) : null;
  }

  async list(limit: number, after?: string): Promise<StoredProfile[]> {
    if (!Number.isInteger(limit) || limit < 0) throw new StoreError('value_invalid', `limit must be a non-negative integer, got ${limit}.`);
    const rows = await this.db.query<ProfileRow>(`${SELECT_PROFILE} WHERE $1::text IS NULL OR p.id > $1 ORDER BY p.id LIMIT $2`, [after ?? null, limit]);
    return rows.rows.map(toProfile);
  }

  find(keys: ContactKeys): Promise<StoredProfile | null> {
    return this.firstOwner(this.db, lookupsFor(keys));
  }

  /**
   * Inserts the profile and every key with ON CONFLICT DO NOTHING. A key another transaction holds makes
   * the insert wait for it; when that one commits, nothing is inserted here, the whole draft is rolled back
   * and the owner is read again and returned. So two instances meeting one new email make one profile.
   */
  async create(draft: ProfileDraft): Promise<StoredProfile> {
    const keys = profileKeysOf(draft);
    const lookups = lookupsOf(keys);
    for (let attempt = 0; attempt < 5; attempt++) {
      const made = await transaction<StoredProfile | typeof LOST_RACE>(this.db, async (c) => {
        const existing = await this.firstOwner(c, lookups);
        if (existing) return existing;
        const inserted = await c.query('INSERT INTO profiles (id, name, external_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [draft.id, draft.name ?? null, keys.externalId]);
        if (inserted.rowCount !== 1) throw new Rollback(LOST_RACE);
        if (!(await this.writeKeys(c, draft.id, keys))) throw new Rollback(LOST_RACE);
        return (await this.get(draft.id, c))!;
      });
      if (made !== LOST_RACE) return made;
      const owner = await this.firstOwner(this.db, lookups);
      if (owner) return owner;
      // Nobody owns the keys: the conflict was on the profile id itself.
      if (await this.get(draft.id)) throw new StoreError('value_invalid', `profile ${draft.id}: the id is already taken by a profile with other keys.`);
    }
    throw new Error(`profile ${draft.id}: could not settle who owns its keys after 5 attempts.`);
  }

  /** Checks the keys, then writes; a key taken meanwhile by another instance fails the insert and the check runs again. */
  async put(profile: ProfileRecord, now: string): Promise<PutResult> {
    const keys = profileKeysOf(profile);
    const at = isoTimestamp(now, 'now');
    for (let attempt = 0; ; attempt++) {
      try {
        return await transaction(this.db, async (c): Promise<PutResult> => {
          for (const k of lookupsOf(keys)) {
            const owner = await ownerOf(c, k);
            if (owner !== null && owner !== profile.id) return { ok: false, takenBy: owner, key: keyLabel(k) };
          }
          await c.query(
            `INSERT INTO profiles (id, name, external_id, attributes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, external_id = excluded.external_id, attributes = excluded.attributes, updated_at = excluded.updated_at`,
            [profile.id, profile.name ?? null, keys.externalId, JSON.stringify(profile.attributes ?? {}), at],
          );
          // Replace the key set: keys the admin removed must stop matching this profile.
          await c.query('DELETE FROM profile_emails WHERE profile_id = $1', [profile.id]);
          await c.query('DELETE FROM profile_phones WHERE profile_id = $1', [profile.id]);
          if (!(await this.writeKeys(c, profile.id, keys))) throw Object.assign(new Error('key taken meanwhile'), { code: '23505' });
          return { ok: true };
        });
      } catch (err) {
        if (pgCode(err) !== '23505' || attempt >= 4) throw err;
      }
    }
  }

  /** Inserts the keys in order; false when any of them is owned already (nothing more is inserted then). */
  private async writeKeys(c: Queryable, id: string, keys: ProfileKeys): Promise<boolean> {
    const rows: [string, string, number][] = [
      ...keys.emails.map((e, i): [string, string, number] => ['INSERT INTO profile_emails (email, profile_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', e, i]),
      ...keys.phones.map((p, i): [string, string, number] => ['INSERT INTO profile_phones (phone, profile_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', p, i]),
    ];
    // In a fixed order (by value), so two drafts sharing keys wait on each other instead of deadlocking.
    rows.sort((x, y) => (x[0] === y[0] ? (x[1] < y[1] ? -1 : 1) : x[0] < y[0] ? -1 : 1));
    for (const [sql, value, position] of rows) {
      if ((await c.query(sql, [value, id, position])).rowCount !== 1) return false;
    }
    return true;
  }

  /** The owner of the first key that has one, in the lookups' order, read with its profile in one statement (one round trip). */
  private async firstOwner(q: Queryable, lookups: KeyLookup[]): Promise<StoredProfile | null> {
    if (lookups.length === 0) return null;
    const owners = lookups.map((k, i) => `(${OWNER_OF[k.kind].replace('$1', `$${i + 1}`)})`);
    const row = (await q.query<ProfileRow>(`${SELECT_PROFILE} WHERE p.id = coalesce(${owners.join(', ')})`, lookups.map((k) => k.value))).rows[0];
    return row ? toProfile(row) : null;
  }
}
