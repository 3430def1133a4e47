// Several connections and processes on one SQLite file: one profile per customer, and acknowledged turns survive SIGKILL.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations/sqlite.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { lines, runFixture } from './child-process.ts';
import { tempFolders } from './temp-files.ts';

const tempDir = tempFolders();

/** Starts `processes` children on one file, lets them all open it, then lets them create at once; the ids they got. */
async function race(path: string, creates: number, processes: number): Promise<string[]> {
  const children = Array.from({ length: processes }, (_, i) => runFixture('create-profiles.ts', [path, `proc${i}`, String(creates)]));
  let ready = 0;
  const outputs = await Promise.all(
    children.map((child) =>
      lines(child, (line) => {
        // Ending stdin after "go" lets each child exit when done.
        if (line === 'ready' && ++ready === children.length) for (const c of children) c.stdin.end('go\n');
      }),
    ),
  );
  return outputs.flatMap((out) => JSON.parse(out.at(-1)!) as string[]);
}

describe('SQLite with several connections', () => {
  it('makes one profile when two store instances on one file create the same customer at once', async () => {
    const path = join(tempDir(), 'threadgate.db');
    const [a, b] = [await openSqliteStore({ path }), await openSqliteStore({ path })];
    const made = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).profiles.create({ id: `p${i}`, name: null, emails: ['Race@Example.com'], phones: [], externalId: null })),
    );
    expect(new Set(made.map((p) => p.id))).toEqual(new Set(['p0']));
    expect(await a.profiles.list(100)).toHaveLength(1);
    expect(await b.profiles.list(100)).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('migrates a fresh file once when several processes open it at the same moment', async () => {
    const path = join(tempDir(), 'threadgate.db');
    await race(path, 0, 6);
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    raw.close();
  }, 60_000);

  it('makes one profile when separate processes race to create the same customer', async () => {
    const path = join(tempDir(), 'threadgate.db');
    (await openSqliteStore({ path })).close(); // migrate first, so the race is about profiles only
    const ids = await race(path, 30, 4);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(1);
    const store = await openSqliteStore({ path });
    expect(await store.profiles.list(1000)).toHaveLength(1);
    await store.close();
  }, 60_000);

  it('keeps an acknowledged turn when the process is killed with SIGKILL right after', async () => {
    const path = join(tempDir(), 'threadgate.db');
    const child = runFixture('commit-then-hang.ts', [path]);
    await lines(child, (line) => {
      if (line === 'acknowledged') child.kill('SIGKILL');
    });
    const store = await openSqliteStore({ path });
    expect(await store.conversations.get('c1')).toMatchObject({ version: 2, status: 'active' });
    expect((await store.conversations.timeline('c1')).map((e) => e.text)).toEqual(['acknowledged?']);
    await store.close();
  }, 60_000);
});
