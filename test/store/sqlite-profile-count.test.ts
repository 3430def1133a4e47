// countForProfile on SQLite remembers its answers, and forgets them when a conversation gains or changes a profile here or in another connection.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { at, create, stateWith } from './contract/fixtures.ts';
import { tempFolders } from './temp-files.ts';

const tempDir = tempFolders();
const self = { createdAt: at(30), id: 'self' };

describe('SQLite countForProfile', () => {
  it('counts again after this connection links an earlier conversation to the profile, or moves one away', async () => {
    const s = await openSqliteStore({ path: join(tempDir(), 'threadgate.db') });
    await create(s, 'a', { profileId: 'p-1', createdAt: at(1) });
    await create(s, 'b', { createdAt: at(2) });
    expect(await s.conversations.countForProfile('p-1', self)).toBe(1);
    expect(await s.conversations.countForProfile('p-1', self)).toBe(1);
    // b is identified as the same customer in a later turn.
    expect((await s.conversations.commitTurn({ conversationId: 'b', expectedVersion: 1, state: stateWith({ profileId: 'p-1' }), entries: [], idempotency: null, now: at(40) })).ok).toBe(true);
    expect(await s.conversations.countForProfile('p-1', self)).toBe(2);
    // a turns out to be another customer.
    expect((await s.conversations.commitTurn({ conversationId: 'a', expectedVersion: 1, state: stateWith({ profileId: 'p-2' }), entries: [], idempotency: null, now: at(41) })).ok).toBe(true);
    expect(await s.conversations.countForProfile('p-1', self)).toBe(1);
    expect(await s.conversations.countForProfile('p-2', self)).toBe(1);
    // A new conversation of the profile, created before the cursor.
    await create(s, 'c', { profileId: 'p-1', createdAt: at(3) });
    expect(await s.conversations.countForProfile('p-1', self)).toBe(2);
    await s.close();
  });

  it("counts again after another connection's commit on the same file", async () => {
    const path = join(tempDir(), 'threadgate.db');
    const [a, b] = [await openSqliteStore({ path }), await openSqliteStore({ path })];
    await create(a, 'x', { profileId: 'p-1', createdAt: at(1) });
    expect(await a.conversations.countForProfile('p-1', self)).toBe(1);
    await create(b, 'y', { profileId: 'p-1', createdAt: at(2) });
    expect(await a.conversations.countForProfile('p-1', self)).toBe(2);
    expect((await b.conversations.commitTurn({ conversationId: 'x', expectedVersion: 1, state: stateWith({ profileId: 'p-9' }), entries: [], idempotency: null, now: at(40) })).ok).toBe(true);
    expect(await a.conversations.countForProfile('p-1', self)).toBe(1);
    await Promise.all([a.close(), b.close()]);
  });
});
