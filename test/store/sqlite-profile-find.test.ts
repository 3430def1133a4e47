// The SQLite directory's find remembers its answers and forgets them when a profile changes, here or in another connection.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { tempFolders } from './temp-files.ts';

const tempDir = tempFolders();
const julie = { email: 'julie@example.com' };

describe('SQLite profiles.find', () => {
  it("sees another connection's new profile, and this connection's edits, at once", async () => {
    const path = join(tempDir(), 'threadgate.db');
    const [a, b] = [await openSqliteStore({ path }), await openSqliteStore({ path })];
    expect(await a.profiles.find(julie)).toBeNull();
    const made = await b.profiles.create({ id: 'p1', name: 'Julie', emails: ['julie@example.com'], phones: [], externalId: null });
    expect((await a.profiles.find(julie))?.id).toBe(made.id);
    // This connection moves the email to another profile's key set: the old answer is gone.
    expect((await a.profiles.put({ id: 'p1', name: 'Julie', emails: ['j.doe@example.com'], phones: [] }, '2026-12-02T10:00:00.000Z')).ok).toBe(true);
    expect(await a.profiles.find(julie)).toBeNull();
    expect((await a.profiles.find({ email: 'j.doe@example.com' }))?.id).toBe('p1');
    await Promise.all([a.close(), b.close()]);
  });

  it('hands out a fresh profile each time, so a caller changing one changes nothing for the next', async () => {
    const s = await openSqliteStore({ path: join(tempDir(), 'threadgate.db') });
    await s.profiles.create({ id: 'p1', name: 'Julie', emails: ['julie@example.com'], phones: [], externalId: null });
    const first = (await s.profiles.find(julie))!;
    first.emails.push('mallory@example.com');
    first.name = 'changed';
    expect(await s.profiles.find(julie)).toMatchObject({ id: 'p1', name: 'Julie', emails: ['julie@example.com'] });
    await s.close();
  });
});
