// SQLite reads back the state text it wrote itself without the schema check, and checks every other text as before.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConversationStateSchema } from '../../src/core/state.schema.ts';
import { decodeStateJson } from '../../src/store/decode-state.ts';
import { OWN_STATES_MAX } from '../../src/store/sqlite/conversations.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { auth, buildTestApp, shopToken } from '../http/helpers.ts';
import { at, create, stateWith } from './contract/fixtures.ts';
import { tempFolders } from './temp-files.ts';

const tempDir = tempFolders();

/** Counts schema checks of a conversation state from now on. */
const countChecks = () => vi.spyOn(ConversationStateSchema, 'safeParse');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('SQLite: states this store wrote', () => {
  it('are read back without a schema check; a text another connection wrote is checked (and refused when invalid)', async () => {
    const path = join(tempDir(), 'threadgate.db');
    const store = await openSqliteStore({ path });
    await create(store, 'c1');
    const checks = countChecks();
    // A created state is the caller's: checked on read.
    expect((await store.conversations.get('c1'))?.version).toBe(1);
    expect(checks).toHaveBeenCalledTimes(1);
    checks.mockClear();
    const turn = await store.conversations.commitTurn({
      conversationId: 'c1', expectedVersion: 1, state: stateWith({ status: 'active' }, at(1)), entries: [], idempotency: null, now: at(1),
    });
    expect(turn).toEqual({ ok: true, version: 2 });
    expect((await store.conversations.get('c1'))?.version).toBe(2);
    expect(checks).not.toHaveBeenCalled();
    // The same row rewritten by another connection: checked again, valid or not.
    const raw = new Database(path);
    raw.prepare("UPDATE conversations SET state = json_set(state, '$.turn', 7) WHERE id = 'c1'").run();
    expect((await store.conversations.get('c1'))?.state.turn).toBe(7);
    expect(checks).toHaveBeenCalledTimes(1);
    raw.prepare("UPDATE conversations SET state = json_set(state, '$.identity.status', 'royal') WHERE id = 'c1'").run();
    raw.close();
    await expect(store.conversations.get('c1')).rejects.toMatchObject({ code: 'state_invalid' });
    await store.close();
  });

  it('read back unchecked, a state equals what the schema check gives for it, across a real conversation', async () => {
    const store = await openSqliteStore({ path: join(tempDir(), 'threadgate.db') });
    const t = await buildTestApp({ store });
    const token = await shopToken('own-states@example.com', t.clock.now);
    const started = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-optional' } });
    const id = started.json().conversationId as string;
    const events = [
      { type: 'message', text: 'tracking' },
      { type: 'identify', user: { name: 'Sam Lee', email: 'own-states@example.com' } },
      { type: 'message', text: 'return', token },
      { type: 'message', text: 'R-10234' },
    ];
    for (const payload of events) {
      const r = await t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload });
      expect(r.statusCode, r.body).toBe(200);
      const read = (await store.conversations.get(id))!;
      expect(read.state).toEqual(decodeStateJson(JSON.stringify(read.state), id));
    }
    await t.close();
  });

  it(`remember at most ${OWN_STATES_MAX} conversations: the one written longest ago is checked again`, async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    for (let i = 0; i <= OWN_STATES_MAX; i++) {
      await create(store, `c${i}`);
      const r = await store.conversations.commitTurn({ conversationId: `c${i}`, expectedVersion: 1, state: stateWith({}, at(1)), entries: [], idempotency: null, now: at(1) });
      expect(r.ok).toBe(true);
    }
    const checks = countChecks();
    await store.conversations.get(`c${OWN_STATES_MAX}`);
    await store.conversations.get('c1');
    expect(checks).not.toHaveBeenCalled();
    await store.conversations.get('c0');
    expect(checks).toHaveBeenCalledTimes(1);
    await store.close();
  });
});
