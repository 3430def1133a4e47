// SQLite connection settings and files: WAL, FULL sync, foreign keys, the folder made, data kept across reopening.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/core/state.ts';
import { openSqliteDatabase } from '../../src/store/sqlite/connection.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { tempFolders } from './temp-files.ts';

const tempDir = tempFolders();
const pragma = (db: ReturnType<typeof openSqliteDatabase>, name: string): unknown => db.pragma(name, { simple: true });

describe('SQLite connection', () => {
  it('opens a file in WAL mode with FULL synchronous commits, foreign keys on and a busy timeout', () => {
    const db = openSqliteDatabase(join(tempDir(), 'db.sqlite'));
    expect(pragma(db, 'journal_mode')).toBe('wal');
    expect(pragma(db, 'synchronous')).toBe(2); // FULL
    expect(pragma(db, 'foreign_keys')).toBe(1);
    expect(pragma(db, 'busy_timeout')).toBe(5000);
    db.close();
  });

  it('commits with NORMAL synchronous when the operator chooses throughput over power-loss durability', () => {
    const db = openSqliteDatabase(join(tempDir(), 'db.sqlite'), 'normal');
    expect(pragma(db, 'synchronous')).toBe(1); // NORMAL
    expect(pragma(db, 'journal_mode')).toBe('wal');
    db.close();
  });

  it('uses the same settings in memory, where there is no WAL', () => {
    const db = openSqliteDatabase(':memory:');
    expect(pragma(db, 'journal_mode')).toBe('memory');
    expect(pragma(db, 'synchronous')).toBe(2);
    expect(pragma(db, 'foreign_keys')).toBe(1);
    db.close();
  });

  it('enforces foreign keys: a timeline entry needs its conversation', () => {
    const db = openSqliteDatabase(':memory:');
    const orphan = db.prepare("INSERT INTO timeline_entries (conversation_id, turn, party, sender, text, at) VALUES ('ghost', 1, 0, 'bot', 'x', '2026-01-01T00:00:00.000Z')");
    expect(() => orphan.run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('creates the folder of the file', async () => {
    const path = join(tempDir(), 'data', 'nested', 'threadgate.db');
    const store = await openSqliteStore({ path });
    await store.close();
    expect(existsSync(path)).toBe(true);
  });

  it('keeps everything when the file is closed and opened again', async () => {
    const path = join(tempDir(), 'threadgate.db');
    const now = '2026-11-23T10:00:00.000Z';
    const first = await openSqliteStore({ path });
    const state = initialState('t1', { id: 'w1', onboarding: 'form' }, now);
    await first.conversations.create({ id: 'c1', widgetId: 'w1', threadId: 't1', threadVersion: 1, state, status: 'pending', scenario: 'visitor', authStatus: 'anonymous', onboardingType: 'form', createdAt: now });
    await first.conversations.commitTurn({ conversationId: 'c1', expectedVersion: 1, state, entries: [{ party: 0, from: 'bot', text: 'hi', trusted: null, at: now }], idempotency: null, now });
    await first.profiles.put({ id: 'p1', emails: ['a@example.com'] }, now);
    await first.rules.putThreadDraft('t1', 'source', now);
    await first.rules.publishThread('t1', now);
    await first.rules.putWidget('w1', 'widget', now);
    await first.close();

    const second = await openSqliteStore({ path });
    expect(await second.conversations.get('c1')).toMatchObject({ version: 2, state });
    expect((await second.conversations.timeline('c1')).map((e) => e.text)).toEqual(['hi']);
    expect((await second.profiles.find({ email: 'a@example.com' }))?.id).toBe('p1');
    expect(await second.rules.getActiveThreadVersion('t1')).toMatchObject({ version: 1, source: 'source' });
    expect(await second.rules.getWidget('w1')).toMatchObject({ source: 'widget' });
    await second.close();
  });
});
