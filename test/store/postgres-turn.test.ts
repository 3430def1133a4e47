// A PostgreSQL turn on one connection: how many round trips and checkouts it takes, what a failed COMMIT or a throw leaves, and a pool of one.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/store.ts';
import type { TurnCommit } from '../../src/store/store.port.ts';
import type { PgDb } from '../../src/store/postgres/turn-scope.ts';
import { auth, buildTestApp, shopToken, type TestApp } from '../http/helpers.ts';
import { at, create, stateWith } from './contract/fixtures.ts';
import { assertPostgresUp, PG_URL, SKIP_POSTGRES, SKIP_REASON, sql, testSchemas } from './postgres-env.ts';

const schemas = testSchemas();

/** Every checkout and every query of the store's pool, counted from the pool's own events (the pool is the store's). */
function countPool(store: PostgresStore) {
  const pool = (store as unknown as { pool: pg.Pool }).pool;
  const counts = { checkouts: 0, queries: 0, texts: [] as string[] };
  const wrapped = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client: pg.PoolClient) => {
    counts.checkouts++;
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    // One call of client.query is one round trip (pg sends the next query only after the last one's answer).
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      counts.queries++;
      const q = args[0] as string | { text: string };
      counts.texts.push((typeof q === 'string' ? q : q.text).trim().split(/\s+/).slice(0, 4).join(' '));
      return query(...args);
    };
  });
  return {
    reset() {
      counts.checkouts = 0;
      counts.queries = 0;
      counts.texts = [];
    },
    counts,
  };
}

const commitOf = (conversationId: string, expectedVersion: number, text: string): TurnCommit => ({
  conversationId,
  expectedVersion,
  state: stateWith({}, at(1)),
  entries: [{ party: 0, from: 'customer', text, trusted: null, at: at(1) }],
  idempotency: null,
  now: at(1),
});

describe.skipIf(SKIP_POSTGRES)(`a PostgreSQL turn on one connection${SKIP_POSTGRES ? ` (${SKIP_REASON})` : ''}`, () => {
  let t: TestApp;
  let store: PostgresStore;
  let schema: string;

  beforeAll(async () => {
    await assertPostgresUp();
    schema = schemas();
    store = await openPostgresStore({ connectionString: PG_URL, schema, pool: { max: 2 } });
    t = await buildTestApp({ store, rateLimitPerMinute: 1_000_000, newId: () => crypto.randomUUID() });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const turn = (id: string, text: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: { ...auth('runtime'), ...headers }, payload: { type: 'message', text } });

  it('takes one connection and at most 4 round trips (3 without an Idempotency-Key)', async () => {
    const started = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } });
    const id = started.json().conversationId as string;
    expect((await turn(id, 'warm the caches')).statusCode).toBe(200);
    const pool = countPool(store);
    pool.reset();
    expect((await turn(id, 'counted')).statusCode).toBe(200);
    // BEGIN + lock + the row in one; the commit statement; COMMIT.
    expect(pool.counts, JSON.stringify(pool.counts.texts)).toMatchObject({ checkouts: 1, queries: 3 });
    pool.reset();
    expect((await turn(id, 'counted with a key', { 'idempotency-key': 'rt-1' })).statusCode).toBe(200);
    expect(pool.counts, JSON.stringify(pool.counts.texts)).toMatchObject({ checkouts: 1, queries: 4 });
  });

  it('a turn with a token: 4 round trips (the profile lookup is one), its profile\'s past conversations read with the lock', async () => {
    const token = await shopToken('round-trips@example.com', t.clock.now);
    const begin = () => t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-optional' } });
    const earlier = (await begin()).json().conversationId as string;
    const send = (id: string, text: string) =>
      t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: { type: 'message', text, token } });
    expect((await send(earlier, 'first contact')).statusCode).toBe(200);
    t.clock.advance(1); // created later, so the earlier one counts whatever the random ids
    const id = (await begin()).json().conversationId as string;
    expect((await send(id, 'matched')).statusCode).toBe(200);
    const pool = countPool(store);
    pool.reset();
    const counted = await send(id, 'counted');
    expect(counted.statusCode).toBe(200);
    // Lock + row + count; the profile lookup by the token's email (profile and keys in one statement); commit; COMMIT.
    expect(pool.counts, JSON.stringify(pool.counts.texts)).toMatchObject({ checkouts: 1, queries: 4 });
    const conv = (await store.conversations.get(id))!;
    expect(conv.profileId).not.toBeNull();
    expect(counted.json().profile).toMatchObject({ id: conv.profileId, pastConversations: 1 });
    expect(await store.conversations.countForProfile(conv.profileId!, conv)).toBe(1);
  });

  it('lock_timeout bounds the wait for the turn lock only: the rest of the turn runs with the session default', async () => {
    const db = (store.conversations as unknown as { db: PgDb }).db;
    const outside = (await db.query<{ lock_timeout: string }>('SHOW lock_timeout')).rows[0]!.lock_timeout;
    const inside = await store.conversations.serializeTurn('any-conversation', 50, async () => (await db.query<{ lock_timeout: string }>('SHOW lock_timeout')).rows[0]!.lock_timeout);
    expect(inside).toEqual({ ok: true, value: outside });
  });

  it('a COMMIT that fails is not acknowledged, and nothing of the turn is applied', async () => {
    await create(store, 'commit-fails');
    // A deferred constraint trigger only runs at COMMIT: the turn's statements all succeed, the COMMIT does not.
    await sql(
      `CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF NEW.text = 'refused at commit' THEN RAISE EXCEPTION 'refused at commit'; END IF; RETURN NULL; END $$;
       CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON timeline_entries DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()`,
      [],
      schema,
    );
    let committed: unknown;
    await expect(
      store.conversations.serializeTurn('commit-fails', 5000, async () => {
        committed = await store.conversations.commitTurn(commitOf('commit-fails', 1, 'refused at commit'));
        return 'acknowledged';
      }),
    ).rejects.toThrow(/refused at commit/);
    expect(committed).toEqual({ ok: true, version: 2 });
    expect((await store.conversations.get('commit-fails'))?.version).toBe(1);
    expect(await store.conversations.timeline('commit-fails')).toEqual([]);
    // Over HTTP: the service answers an error, never 200, and the next turn applies as version 2.
    const started = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } });
    const id = started.json().conversationId as string;
    const refused = await turn(id, 'refused at commit');
    expect(refused.statusCode).toBeGreaterThanOrEqual(500);
    expect((await store.conversations.get(id))?.version).toBe(1);
    const next = await turn(id, 'fine');
    expect(next.statusCode).toBe(200);
    expect(next.json().version).toBe(2);
  });

  it('a statement that failed inside the turn makes it fail even when the turn caught the error', async () => {
    await create(store, 'caught');
    const bad = { ...commitOf('caught', 2, 'x'), entries: [{ party: 0, from: 'nobody' as 'customer', text: 'x', trusted: null, at: at(1) }] };
    await expect(
      store.conversations.serializeTurn('caught', 5000, async () => {
        expect(await store.conversations.commitTurn(commitOf('caught', 1, 'before the failure'))).toEqual({ ok: true, version: 2 });
        // A sender the CHECK constraint refuses: the statement fails, and the transaction with it.
        await expect(store.conversations.commitTurn(bad)).rejects.toThrow(/check constraint/);
        return 'swallowed';
      }),
    ).rejects.toThrow(/did not commit/);
    expect((await store.conversations.get('caught'))?.version).toBe(1);
    expect(await store.conversations.timeline('caught')).toEqual([]);
  });

  it('a throwing turn rolls back its commit and the profiles it created', async () => {
    await create(store, 'throws');
    await expect(
      store.conversations.serializeTurn('throws', 5000, async () => {
        expect(await store.profiles.create({ id: 'p-thrown', name: 'Gone', emails: ['gone@example.com'], phones: [], externalId: null })).toMatchObject({ id: 'p-thrown' });
        expect(await store.conversations.commitTurn(commitOf('throws', 1, 'rolled back'))).toEqual({ ok: true, version: 2 });
        // Inside the turn its own writes are visible to its own reads.
        expect((await store.conversations.get('throws'))?.version).toBe(2);
        throw new Error('the turn failed after committing');
      }),
    ).rejects.toThrow('the turn failed after committing');
    expect((await store.conversations.get('throws'))?.version).toBe(1);
    expect(await store.conversations.timeline('throws')).toEqual([]);
    expect(await store.profiles.get('p-thrown')).toBeNull();
  });

  it('a pool of one completes many simultaneous turns on several conversations, profiles and keys included', async () => {
    const small = await openPostgresStore({ connectionString: PG_URL, schema, pool: { max: 1 } });
    const one = await buildTestApp({ store: small, rateLimitPerMinute: 1_000_000, newId: () => crypto.randomUUID() });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await one.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-optional' } });
        expect(r.statusCode, r.body).toBe(201);
        ids.push(r.json().conversationId as string);
      }
      // A token on every turn: the first contact finds or creates a profile inside the turn.
      const tokens = await Promise.all(ids.map((_, i) => shopToken(`pool-of-one-${i % 2}@example.com`, one.clock.now)));
      const n = 15;
      const results = await Promise.all(
        ids.flatMap((id, c) =>
          Array.from({ length: n }, (_, i) =>
            one.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: { ...auth('runtime'), 'idempotency-key': `k-${i}` }, payload: { type: 'message', text: `m${i}`, token: tokens[c] } }),
          ),
        ),
      );
      expect(results.map((r) => r.statusCode)).toEqual(Array(ids.length * n).fill(200));
      for (const id of ids) {
        const conv = await small.conversations.get(id);
        expect(conv?.version).toBe(n + 1);
        const said = (await small.conversations.timeline(id)).filter((e) => e.from === 'customer').map((e) => e.text);
        expect(said).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
      }
      // Two emails, two profiles: conversations sharing an email found the one the first of them created.
      const profiles = new Set((await Promise.all(ids.map((id) => small.conversations.get(id)))).map((c) => c?.profileId));
      expect(profiles.size).toBe(2);
    } finally {
      await one.close();
    }
  }, 60_000);
});
