// The store contract against SQLite, in memory and on a file, plus what only SQLite can show.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { at, create } from './contract/fixtures.ts';
import { describeStoreContract } from './store.contract.ts';
import { tempFolders } from './temp-files.ts';

const tempDir = tempFolders();

describeStoreContract('sqlite :memory:', () => openSqliteStore({ path: ':memory:' }));
describeStoreContract('sqlite file', () => openSqliteStore({ path: join(tempDir(), 'threadgate.db') }));

describe('SqliteStore beyond the contract', () => {
  it('refuses a key ring edited into something invalid in the database', async () => {
    const path = join(tempDir(), 'threadgate.db');
    const store = await openSqliteStore({ path });
    const raw = new Database(path);
    raw.prepare("INSERT INTO key_rings (name, data) VALUES ('issuer', ?)").run(JSON.stringify({ keys: [{ kid: 'x' }] }));
    raw.close();
    await expect(store.loadKeyRing('issuer')).rejects.toMatchObject({ code: 'jwt_config_invalid' });
    await store.close();
  });

  it('reports from the status columns, never from the JSON states', async () => {
    // A state that says "visitor" under a column that says "ideal": only a report that reads columns counts it as ideal.
    const path = join(tempDir(), 'threadgate.db');
    const store = await openSqliteStore({ path });
    await create(store, 'c1', { scenario: 'visitor' });
    const raw = new Database(path);
    raw.prepare("UPDATE conversations SET scenario = 'ideal' WHERE id = 'c1'").run();
    raw.close();
    expect((await store.onboardingReport({ from: at(0), to: at(1) })).byScenario).toMatchObject({ ideal: 1, visitor: 0 });
    await store.close();
  });

  it('stamps profiles created by the directory, which passes no time, with the database clock', async () => {
    const path = join(tempDir(), 'threadgate.db');
    const store = await openSqliteStore({ path });
    await store.create({ id: 'p1', name: null, emails: ['a@example.com'], phones: [], externalId: null });
    await store.putProfile({ id: 'p2' }, at(0));
    const raw = new Database(path, { readonly: true });
    const rows = raw.prepare('SELECT id, created_at, updated_at FROM profiles ORDER BY id').all() as { id: string; created_at: string; updated_at: string }[];
    raw.close();
    expect(rows[0]!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(rows[1]).toEqual({ id: 'p2', created_at: at(0), updated_at: at(0) });
    await store.close();
  });
});
