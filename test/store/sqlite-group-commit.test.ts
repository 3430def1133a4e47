// SQLite group commit: turns submitted together share one transaction, fail alone, and none acknowledged is lost to SIGKILL.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/core/state.ts';
import type { TurnCommit } from '../../src/store/store.port.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { SqliteConversations } from '../../src/store/sqlite/conversations.ts';
import { lines, runFixture } from './child-process.ts';
import { tempFolders } from './temp-files.ts';

const tempDir = tempFolders();
const now = '2026-11-23T10:00:00.000Z';
const state = initialState('t1', { id: 'w1', onboarding: 'none' }, now);

async function storeWith(n: number) {
  const path = join(tempDir(), 'threadgate.db');
  const store = await openSqliteStore({ path });
  for (let i = 0; i < n; i++) {
    await store.conversations.create({ id: `c${i}`, widgetId: 'w1', threadId: 't1', threadVersion: 1, state, status: 'pending', scenario: 'visitor', authStatus: 'anonymous', onboardingType: 'none', createdAt: now });
  }
  const conversations = store.conversations as SqliteConversations;
  return { path, store, conversations, before: { ...conversations.turnCommits.stats } };
}

const turn = (id: string, text: string, over: Partial<TurnCommit> = {}): TurnCommit => ({
  conversationId: id,
  expectedVersion: 1,
  state: { ...state, status: 'active' },
  entries: [{ party: 0, from: 'customer', text, trusted: false, at: now }],
  idempotency: null,
  now,
  ...over,
});

describe('SQLite group commit', () => {
  it('refuses a turn evaluated on a queued write that failed, even when its version would match', async () => {
    const { store, conversations } = await storeWith(1);
    expect((await conversations.commitTurn(turn('c0', 'first'))).ok).toBe(true); // now version 2
    const stale = { state: 'queued' as const };
    const onStale = { state: 'queued' as const };
    // `stale` was read at version 1 and fails; the turn built on it expects 2, which is the stored version, yet its
    // state came from `stale`, not from what is stored: the ticket refuses it.
    const [a, b] = await Promise.all([
      conversations.commitTurn(turn('c0', 'stale', { ticket: stale })),
      conversations.commitTurn(turn('c0', 'built on stale', { expectedVersion: 2, after: stale, ticket: onStale })),
    ]);
    expect(a).toMatchObject({ ok: false, reason: 'version_conflict' });
    expect(b).toMatchObject({ ok: false, reason: 'version_conflict' });
    expect([stale.state, onStale.state]).toEqual(['failed', 'failed']);
    expect((await conversations.timeline('c0')).map((e) => e.text)).toEqual(['first']);
    await store.close();
  });

  it('applies a turn evaluated on a queued write after it, in the same batch or the next', async () => {
    const { store, conversations } = await storeWith(1);
    const t1 = { state: 'queued' as const };
    const t2 = { state: 'queued' as const };
    const t3 = { state: 'queued' as const };
    const first = conversations.commitTurn(turn('c0', 'one', { ticket: t1 }));
    const second = conversations.commitTurn(turn('c0', 'two', { expectedVersion: 2, after: t1, ticket: t2 }));
    await new Promise((r) => setImmediate(r)); // the first batch (one, two) commits before three is submitted
    const third = conversations.commitTurn(turn('c0', 'three', { expectedVersion: 3, after: t2, ticket: t3 }));
    expect(await Promise.all([first, second, third])).toEqual([{ ok: true, version: 2 }, { ok: true, version: 3 }, { ok: true, version: 4 }]);
    expect([t1.state, t2.state, t3.state]).toEqual(['committed', 'committed', 'committed']);
    expect((await conversations.timeline('c0')).map((e) => e.text)).toEqual(['one', 'two', 'three']);
    await store.close();
  });

  it('commits turns submitted in one loop turn in one transaction', async () => {
    const { store, conversations, before } = await storeWith(20);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => conversations.commitTurn(turn(`c${i}`, `m${i}`))));
    expect(results.every((r) => r.ok && r.version === 2)).toBe(true);
    expect(conversations.turnCommits.stats.commits - before.commits).toBe(1);
    expect(conversations.turnCommits.stats.writes - before.writes).toBe(20);
    for (let i = 0; i < 20; i++) expect((await conversations.timeline(`c${i}`)).map((e) => e.text)).toEqual([`m${i}`]);
    await store.close();
  });

  it('keeps a failing turn and a stale turn from touching the others in their batch', async () => {
    const { store, conversations } = await storeWith(3);
    const [good, broken, stale, second] = await Promise.allSettled([
      conversations.commitTurn(turn('c0', 'good')),
      // An invalid entry timestamp throws inside the batch, after the conversation row was updated: its savepoint rolls back.
      conversations.commitTurn(turn('c1', 'broken', { entries: [{ party: 0, from: 'customer', text: 'broken', trusted: false, at: 'not a time' }] })),
      conversations.commitTurn(turn('c2', 'stale', { expectedVersion: 7 })),
      // The same conversation twice in one batch: the second sees the first's write and is refused.
      conversations.commitTurn(turn('c0', 'again')),
    ]);
    expect(good).toEqual({ status: 'fulfilled', value: { ok: true, version: 2 } });
    expect(broken.status).toBe('rejected');
    expect(stale).toMatchObject({ status: 'fulfilled', value: { ok: false, reason: 'version_conflict', currentVersion: 1 } });
    expect(second).toMatchObject({ status: 'fulfilled', value: { ok: false, reason: 'version_conflict', currentVersion: 2 } });
    expect(await conversations.get('c1')).toMatchObject({ version: 1, status: 'pending' });
    expect(await conversations.timeline('c1')).toEqual([]);
    expect((await conversations.timeline('c0')).map((e) => e.text)).toEqual(['good']);
    await store.close();
  });

  it('rejects every turn of a batch whose transaction fails, and writes none of them', async () => {
    const { path, store, conversations } = await storeWith(2);
    // Closing the database under a scheduled batch makes its BEGIN fail.
    const pending = [conversations.commitTurn(turn('c0', 'a')), conversations.commitTurn(turn('c1', 'b'))];
    await store.close();
    const settled = await Promise.allSettled(pending);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    const reopened = await openSqliteStore({ path });
    for (const id of ['c0', 'c1']) {
      expect(await reopened.conversations.get(id)).toMatchObject({ version: 1 });
      expect(await reopened.conversations.timeline(id)).toEqual([]);
    }
    await reopened.close();
  });

  it('loses no acknowledged turn when the process is killed in the middle of its batches', async () => {
    const path = join(tempDir(), 'threadgate.db');
    const child = runFixture('commit-batches.ts', [path]);
    const acked = new Map<string, number>();
    await lines(child, (line) => {
      const m = /^acked (\S+) (\d+)$/.exec(line);
      if (!m) return;
      acked.set(m[1]!, Math.max(acked.get(m[1]!) ?? 0, Number(m[2])));
      // Some rounds in, while the next batches are being written.
      if (acked.size === 16 && [...acked.values()].every((v) => v >= 6)) child.kill('SIGKILL');
    });
    const store = await openSqliteStore({ path });
    for (const [id, version] of acked) {
      const row = await store.conversations.get(id);
      expect(row!.version).toBeGreaterThanOrEqual(version);
      const texts = (await store.conversations.timeline(id)).map((e) => e.text);
      // Every acknowledged turn's entry is there, in order, with nothing missing before it.
      expect(texts.slice(0, version - 1)).toEqual(Array.from({ length: version - 1 }, (_, k) => `${id}@${k + 2}`));
    }
    await store.close();
  }, 60_000);
});
