// The store contract against SQLite, in memory and on a file, plus what only SQLite can show.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
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
    await expect(store.keyRings.load('issuer')).rejects.toMatchObject({ code: 'jwt_config_invalid' });
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
    expect((await store.reports.onboarding({ from: at(0), to: at(1) })).byScenario).toMatchObject({ ideal: 1, visitor: 0 });
    await store.close();
  });

  it('refuses a state edited into something invalid, as state_invalid, and keeps every other read working', async () => {
    const path = join(tempDir(), 'threadgate.db');
    const store = await openSqliteStore({ path });
    for (const id of ['not-object', 'bad-shape', 'fine']) await create(store, id);
    const raw = new Database(path);
    // The column's CHECK (json_valid) keeps text that is not JSON out; JSON that is not a state gets in.
    raw.prepare("UPDATE conversations SET state = '[1]' WHERE id = 'not-object'").run();
    raw.prepare("UPDATE conversations SET state = json_set(state, '$.identity.status', 'royal') WHERE id = 'bad-shape'").run();
    raw.close();
    await expect(store.conversations.get('not-object')).rejects.toMatchObject({ code: 'state_invalid', message: expect.stringMatching(/not-object.*\(root\)/) });
    await expect(store.conversations.get('bad-shape')).rejects.toMatchObject({ code: 'state_invalid', message: expect.stringMatching(/bad-shape.*identity\.status/) });
    expect(await store.conversations.get('fine')).toMatchObject({ id: 'fine', version: 1 });
    expect(await store.conversations.timeline('bad-shape')).toEqual([]);
    expect((await store.reports.onboarding({ from: at(0), to: at(1) })).conversations).toBe(3);
    await store.close();
  });

  it('stamps profiles created by the directory, which passes no time, with the database clock', async () => {
    const path = join(tempDir(), 'threadgate.db');
    const store = await openSqliteStore({ path });
    await store.profiles.create({ id: 'p1', name: null, emails: ['a@example.com'], phones: [], externalId: null });
    await store.profiles.put({ id: 'p2' }, at(0));
    const raw = new Database(path, { readonly: true });
    const rows = raw.prepare('SELECT id, created_at, updated_at FROM profiles ORDER BY id').all() as { id: string; created_at: string; updated_at: string }[];
    raw.close();
    expect(rows[0]!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(rows[1]).toEqual({ id: 'p2', created_at: at(0), updated_at: at(0) });
    await store.close();
  });
});
