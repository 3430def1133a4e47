// The profile directory and the admin profile operations on SQLite.
import type { Database } from 'better-sqlite3';
import type { ProfileRecord } from '../../core/events.ts';
import type { ProfileDraft } from '../../core/outputs.ts';
import type { ContactKeys } from '../../profiles/profile-directory.ts';
import { keyLabel, lookupsFor, lookupsOf, profileKeysOf, type KeyLookup, type ProfileKeys, type StoredProfile } from '../profile-keys.ts';
import { StoreError } from '../store-error.ts';
import type { ProfileRepository, PutResult } from '../store.port.ts';
import { isoTimestamp } from '../timestamps.ts';

interface ProfileRow {
  id: string;
  name: string | null;
  external_id: string | null;
  attributes: string;
  emails: string;
  phones: string;
}

const SELECT_PROFILE = `
  SELECT p.id, p.name, p.external_id, p.attributes,
    (SELECT json_group_array(email ORDER BY position) FROM profile_emails WHERE profile_id = p.id) AS emails,
    (SELECT json_group_array(phone ORDER BY position) FROM profile_phones WHERE profile_id = p.id) AS phones
  FROM profiles p`;

const toProfile = (r: ProfileRow): StoredProfile => ({
  id: r.id,
  name: r.name,
  emails: JSON.parse(r.emails) as string[],
  phones: JSON.parse(r.phones) as string[],
  externalId: r.external_id,
  attributes: JSON.parse(r.attributes) as Record<string, unknown>,
});

/** How many contact-key lookups `find` remembers before it starts over. */
export const FOUND_PROFILES_MAX = 4096;

/** Synchronous inside (better-sqlite3): each method is one statement or one IMMEDIATE transaction. */
export class SqliteProfiles implements ProfileRepository {
  private readonly byId;
  private readonly page;
  private readonly ownerOf;
  private readonly insertNew;
  private readonly upsert;
  private readonly insertEmail;
  private readonly insertPhone;
  private readonly dropEmails;
  private readonly dropPhones;
  private readonly createTx;
  private readonly putTx;
  private readonly dataVersion;
  /**
   * What `find` answered per set of contact keys (the row, so every answer is built afresh), valid while no profile
   * changed: this connection's profile writes bump `ownWrites`; any other connection's commit changes SQLite's
   * `data_version`. Either empties it. Every message with a token looks its customer up, so this is per turn.
   */
  private readonly found = new Map<string, ProfileRow | null>();
  private ownWrites = 0;
  private foundValidFor: { dataVersion: number; ownWrites: number } | null = null;

  constructor(private readonly db: Database) {
    this.byId = db.prepare<[string], ProfileRow>(`${SELECT_PROFILE} WHERE p.id = ?`);
    this.page = db.prepare<{ after: string | null; limit: number }, ProfileRow>(
      `${SELECT_PROFILE} WHERE @after IS NULL OR p.id > @after ORDER BY p.id LIMIT @limit`,
    );
    const owner = (sql: string) => db.prepare<[string], string>(sql).pluck();
    this.ownerOf = {
      externalId: owner('SELECT id FROM profiles WHERE external_id = ?'),
      email: owner('SELECT profile_id FROM profile_emails WHERE email = ?'),
      phone: owner('SELECT profile_id FROM profile_phones WHERE phone = ?'),
    };
    // Timestamps left to the column defaults: the directory's create() is given no `now`.
    this.insertNew = db.prepare<[string, string | null, string | null]>('INSERT INTO profiles (id, name, external_id) VALUES (?, ?, ?)');
    this.upsert = db.prepare<{ id: string; name: string | null; externalId: string | null; attributes: string; now: string }>(
      `INSERT INTO profiles (id, name, external_id, attributes, created_at, updated_at)
       VALUES (@id, @name, @externalId, @attributes, @now, @now)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, external_id = excluded.external_id,
         attributes = excluded.attributes, updated_at = excluded.updated_at`,
    );
    this.insertEmail = db.prepare<[string, string, number]>('INSERT INTO profile_emails (email, profile_id, position) VALUES (?, ?, ?)');
    this.insertPhone = db.prepare<[string, string, number]>('INSERT INTO profile_phones (phone, profile_id, position) VALUES (?, ?, ?)');
    this.dropEmails = db.prepare<[string]>('DELETE FROM profile_emails WHERE profile_id = ?');
    this.dropPhones = db.prepare<[string]>('DELETE FROM profile_phones WHERE profile_id = ?');

    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.createTx = db.transaction((draft: ProfileDraft, keys: ProfileKeys): StoredProfile => {
      this.ownWrites += 1;
      const existing = this.firstOwner(lookupsOf(keys));
      if (existing) return existing;
      this.insertNew.run(draft.id, draft.name ?? null, keys.externalId);
      this.writeKeys(draft.id, keys);
      return this.read(draft.id)!;
    });

    this.putTx = db.transaction((profile: ProfileRecord, keys: ProfileKeys, now: string): PutResult => {
      this.ownWrites += 1;
      for (const k of lookupsOf(keys)) {
        const owner = this.ownerOf[k.kind].get(k.value);
        if (owner !== undefined && owner !== profile.id) return { ok: false, takenBy: owner, key: keyLabel(k) };
      }
      const attributes = JSON.stringify(profile.attributes ?? {});
      this.upsert.run({ id: profile.id, name: profile.name ?? null, externalId: keys.externalId, attributes, now });
      // Replace the key set: keys the admin removed must stop matching this profile.
      this.dropEmails.run(profile.id);
      this.dropPhones.run(profile.id);
      this.writeKeys(profile.id, keys);
      return { ok: true };
    });
  }

  async get(id: string): Promise<StoredProfile | null> {
    return this.read(id);
  }

  private read(id: string): StoredProfile | null {
    const row = this.byId.get(id);
    return row ? toProfile(row) : null;
  }

  async list(limit: number, after?: string): Promise<StoredProfile[]> {
    if (!Number.isInteger(limit) || limit < 0) throw new StoreError('value_invalid', `limit must be a non-negative integer, got ${limit}.`);
    // LIMIT 0 is fine in SQL, but a negative one would mean "no limit" in SQLite, hence the check above.
    return this.page.all({ after: after ?? null, limit }).map(toProfile);
  }

  async find(keys: ContactKeys): Promise<StoredProfile | null> {
    const lookups = lookupsFor(keys);
    const dataVersion = this.dataVersion.get()!;
    const valid = this.foundValidFor;
    if (!valid || valid.dataVersion !== dataVersion || valid.ownWrites !== this.ownWrites || this.found.size >= FOUND_PROFILES_MAX) {
      this.found.clear();
      this.foundValidFor = { dataVersion, ownWrites: this.ownWrites };
    }
    const key = JSON.stringify(lookups);
    let row = this.found.get(key);
    if (row === undefined) {
      row = this.firstOwnerRow(lookups);
      this.found.set(key, row);
    }
    return row ? toProfile(row) : null;
  }

  /**
   * Returns the owner of any of the draft's keys instead of a duplicate.
   * IMMEDIATE takes the write lock before the lookup, so "nobody owns these keys" still holds when the
   * insert runs, across connections and processes. The keys' primary keys are the backstop: a
   * duplicate could only ever surface as an error, never as a second profile.
   */
  async create(draft: ProfileDraft): Promise<StoredProfile> {
    return this.createTx.immediate(draft, profileKeysOf(draft));
  }

  async put(profile: ProfileRecord, now: string): Promise<PutResult> {
    return this.putTx.immediate(profile, profileKeysOf(profile), isoTimestamp(now, 'now'));
  }

  private writeKeys(id: string, keys: ProfileKeys): void {
    keys.emails.forEach((e, i) => this.insertEmail.run(e, id, i));
    keys.phones.forEach((p, i) => this.insertPhone.run(p, id, i));
  }

  private firstOwner(lookups: KeyLookup[]): StoredProfile | null {
    const row = this.firstOwnerRow(lookups);
    return row ? toProfile(row) : null;
  }

  private firstOwnerRow(lookups: KeyLookup[]): ProfileRow | null {
    for (const k of lookups) {
      const owner = this.ownerOf[k.kind].get(k.value);
      if (owner !== undefined) return this.byId.get(owner) ?? null;
    }
    return null;
  }
}
