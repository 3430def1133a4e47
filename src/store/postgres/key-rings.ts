// The key rings of threadgate's own token issuer on PostgreSQL: one JSONB document per name.
import { parseKeyRing, type KeyRingData } from '../../auth/key-ring.ts';
import type { KeyRingRepository } from '../store.port.ts';
import type { PgDb } from './turn-scope.ts';

export class PostgresKeyRings implements KeyRingRepository {
  constructor(private readonly db: PgDb) {}

  /** Validated on the way out too: a ring edited by hand in the database must not sign with a broken key. */
  async load(name: string): Promise<KeyRingData | null> {
    const row = (await this.db.query<{ data: unknown }>('SELECT data FROM key_rings WHERE name = $1', [name])).rows[0];
    return row ? parseKeyRing(row.data) : null;
  }

  async save(name: string, ring: KeyRingData): Promise<void> {
    // updated_at from the database clock: save() is given no `now`.
    await this.db.query('INSERT INTO key_rings (name, data) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = now()', [
      name,
      JSON.stringify(parseKeyRing(ring)),
    ]);
  }
}
