// Opening a SQLite file that cannot be threadgate's refuses to start, naming the file and what to do, never as an empty database.
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tg-sqlite-open-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openSqliteStore refuses unusable files', () => {
  it('a zero-length file is refused, and left as it was; one created a moment ago (a concurrent opener) is not', async () => {
    const file = join(dir, 'empty.db');
    await writeFile(file, '');
    const justCreated = await openSqliteStore({ path: file });
    await justCreated.close();
    await rm(file);
    await rm(`${file}-wal`, { force: true });
    await rm(`${file}-shm`, { force: true });
    await writeFile(file, '');
    // As an operator would find it: an empty file left from earlier.
    const earlier = new Date(Date.now() - 60_000);
    await utimes(file, earlier, earlier);
    await expect(openSqliteStore({ path: file })).rejects.toMatchObject({ code: 'database_unusable', message: expect.stringContaining(`${file} is empty (0 bytes)`) });
    expect((await stat(file)).size).toBe(0);
  });

  it('a file that is not SQLite is "not a threadgate database", left untouched', async () => {
    const file = join(dir, 'notes.db');
    await writeFile(file, 'these are my notes, not a database\n'.repeat(200));
    await expect(openSqliteStore({ path: file })).rejects.toMatchObject({ code: 'database_unusable', message: expect.stringContaining('is not a threadgate database') });
    expect(await readFile(file, 'utf8')).toMatch(/^these are my notes/);
  });

  it('a new file still starts an empty database', async () => {
    const store = await openSqliteStore({ path: join(dir, 'fresh.db') });
    expect(await store.rules.listThreadIds()).toEqual([]);
    await store.close();
  });
});
