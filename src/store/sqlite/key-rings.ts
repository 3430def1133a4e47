// The key rings of threadgate's own token issuer on SQLite: one JSON document per name.
import type { Database } from 'better-sqlite3';
import { parseKeyRing, type KeyRingData } from '../../auth/key-ring.ts';
import type { KeyRingRepository } from '../store.port.ts';

export class SqliteKeyRings implements KeyRingRepository {
  private readonly byName;
  private readonly upsert;

  constructor(db: Database) {
    this.byName = db.prepare<[string], string>('SELECT data FROM key_rings WHERE name = ?').pluck();
    // updated_at from SQLite's clock: save() is given no `now`.
    this.upsert = db.prepare<[string, string]>(
      `INSERT INTO key_rings (name, data) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    );
  }

  /** Validated on the way out too: a ring edited by hand in the database must not sign with a broken key. */
  async load(name: string): Promise<KeyRingData | null> {
    const data = this.byName.get(name);
    return data === undefined ? null : parseKeyRing(JSON.parse(data));
  }

  async save(name: string, ring: KeyRingData): Promise<void> {
    this.upsert.run(name, JSON.stringify(parseKeyRing(ring)));
  }
}
