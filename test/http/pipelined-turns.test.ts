// A conversation's next turn runs on the previous turn's queued write (SQLite group commit): order, replays and failed writes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteConversations } from '../../src/store/sqlite/conversations.ts';
import { auth, buildTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.close();
});

type Json = Record<string, any>;
async function turn(id: string, body: Json, headers: Json = {}): Promise<{ status: number; body: Json; headers: Json }> {
  const r = await t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: { ...auth('runtime'), ...headers }, payload: body });
  return { status: r.statusCode, body: r.json(), headers: r.headers };
}
async function start(): Promise<string> {
  const r = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } });
  return r.json().conversationId;
}
const customerTexts = async (id: string) => (await t.store.conversations.timeline(id)).filter((e) => e.from === 'customer').map((e) => e.text);

describe('turns of one conversation sent together', () => {
  it('share commits (each evaluated on the one before while it is queued) and still apply in arrival order', async () => {
    const id = await start();
    const group = (t.store.conversations as SqliteConversations).turnCommits;
    const before = { ...group.stats };
    const n = 30;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => turn(id, { type: 'message', text: `m${i}` })));
    expect(results.map((r) => r.status)).toEqual(Array(n).fill(200));
    expect(results.map((r) => r.body.version)).toEqual(Array.from({ length: n }, (_, i) => i + 2));
    expect(await customerTexts(id)).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
    expect(group.stats.writes - before.writes).toBe(n);
    // Strictly one after another would need one commit per turn.
    expect(group.stats.commits - before.commits).toBeLessThan(n);
  });

  it('a turn built on a write that did not happen (a replay) is evaluated again on the stored state, in its place', async () => {
    const id = await start();
    const [first, replay, next, last] = await Promise.all([
      turn(id, { type: 'message', text: 'a' }, { 'idempotency-key': 'k1' }),
      turn(id, { type: 'message', text: 'a' }, { 'idempotency-key': 'k1' }),
      turn(id, { type: 'message', text: 'b' }, { 'idempotency-key': 'k2' }),
      turn(id, { type: 'message', text: 'c' }),
    ]);
    expect([first, replay, next, last].map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(replay.headers['idempotent-replay']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect([first.body.version, next.body.version, last.body.version]).toEqual([2, 3, 4]);
    expect(await customerTexts(id)).toEqual(['a', 'b', 'c']);
    expect((await t.store.conversations.get(id))!.version).toBe(4);
  });

  it('a write that fails in its batch fails alone: the turns behind it are applied on the stored state, in order', async () => {
    const id = await start();
    const conversations = t.store.conversations as SqliteConversations;
    const commit = conversations.commitTurn.bind(conversations);
    let calls = 0;
    // The second turn's write breaks inside the transaction (an invalid timestamp throws in its savepoint).
    conversations.commitTurn = (c) => commit(++calls === 2 ? { ...c, now: 'not a time' } : c);
    const results = await Promise.all(['x', 'y', 'z', 'w'].map((text) => turn(id, { type: 'message', text })));
    conversations.commitTurn = commit;
    expect(results[1]!.status).toBeGreaterThanOrEqual(500);
    expect([results[0], results[2], results[3]].map((r) => r!.status)).toEqual([200, 200, 200]);
    expect([results[0], results[2], results[3]].map((r) => r!.body.version)).toEqual([2, 3, 4]);
    expect(await customerTexts(id)).toEqual(['x', 'z', 'w']);
  });
});
