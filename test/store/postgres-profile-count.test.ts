// A PostgreSQL instance's memory of profile counts: exact when other instances change a profile's conversations, and used (no count runs) when nothing changed.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/bounded-map.ts';
import type { KnownCount } from '../../src/store/postgres/profile-counts.ts';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/store.ts';
import type { ConversationRecord } from '../../src/store/store.port.ts';
import { at, create, stateWith } from './contract/fixtures.ts';
import { assertPostgresUp, PG_URL, SKIP_POSTGRES, SKIP_REASON, sql, testSchemas } from './postgres-env.ts';

const schemas = testSchemas();

/** What every lock query (the turn row) of a store answered, read from its pool's clients: the last statement's row. */
function watchTurnRows(store: PostgresStore) {
  const pool = (store as unknown as { pool: pg.Pool }).pool;
  const rows: { profile_stamp: string; past_conversations: number | null }[] = [];
  const counts: { stamp: string; n: number | null }[] = [];
  const wrapped = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client: pg.PoolClient) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    const see = (q: string | { name?: string }, result: unknown) => {
      if (typeof q === 'string' && q.startsWith('BEGIN;')) {
        const results = result as pg.QueryResult[];
        rows.push(results[results.length - 1]!.rows[0] as (typeof rows)[number]);
      } else if (typeof q !== 'string' && q.name === 'tg_count_for_profile') {
        counts.push((result as pg.QueryResult).rows[0] as (typeof counts)[number]);
      }
    };
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const q = args[0] as string | { name?: string };
      const callback = args[args.length - 1];
      // pool.query calls back; a turn's client awaits.
      if (typeof callback === 'function') {
        return query(...args.slice(0, -1), (err: unknown, result: unknown) => {
          if (!err) see(q, result);
          (callback as (e: unknown, r: unknown) => void)(err, result);
        });
      }
      return (query(...args) as Promise<unknown>).then((result) => {
        see(q, result);
        return result;
      });
    };
  });
  return { rows, counts };
}

/** The plain count, behind the stores' backs. */
async function plainCount(schema: string, profileId: string, c: ConversationRecord): Promise<number> {
  const rows = await sql<{ n: number }>(
    'SELECT count(*)::int AS n FROM conversations WHERE profile_id = $1 AND (created_at, id COLLATE "C") < ($2::timestamptz, $3::text)',
    [profileId, c.createdAt, c.id],
    schema,
  );
  return rows[0]!.n;
}

describe('the profile-count memory (a BoundedMap of known counts)', () => {
  it('keeps at most its bound, dropping the least recently remembered', () => {
    const m = new BoundedMap<string, KnownCount>(2);
    const k = (count: number) => ({ profileId: 'p', createdAt: at(0), stamp: '1', count });
    m.set('a', k(1));
    m.set('b', k(2));
    m.set('a', k(3)); // refreshed: b is now the oldest
    m.set('c', k(4));
    expect(m.size).toBe(2);
    expect(m.get('b')).toBeUndefined();
    expect(m.get('a')?.count).toBe(3);
    expect(m.get('c')?.count).toBe(4);
  });
});

describe.skipIf(SKIP_POSTGRES)(`profile counts across PostgreSQL instances${SKIP_POSTGRES ? ` (${SKIP_REASON})` : ''}`, () => {
  let a: PostgresStore;
  let b: PostgresStore;
  let schema: string;

  beforeAll(async () => {
    await assertPostgresUp();
    schema = schemas();
    a = await openPostgresStore({ connectionString: PG_URL, schema, pool: { max: 2 } });
    b = await openPostgresStore({ connectionString: PG_URL, schema, pool: { max: 2 } });
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  /** A turn as the runtime runs it: the row, its profile's past conversations, the commit (keeping the profile). */
  async function turnOn(store: PostgresStore, id: string, profileId: string | null = null): Promise<{ conv: ConversationRecord; past: number | null }> {
    const r = await store.conversations.serializeTurn(id, 5000, async () => {
      const conv = (await store.conversations.get(id))!;
      const profile = profileId ?? conv.profileId;
      const past = profile === null ? null : await store.conversations.countForProfile(profile, conv);
      const commit = await store.conversations.commitTurn({
        conversationId: id,
        expectedVersion: conv.version,
        state: stateWith({ profileId: profile }, at(100)),
        entries: [],
        idempotency: null,
        now: at(100),
      });
      if (!commit.ok) throw new Error(`commitTurn answered ${commit.reason}`);
      return { conv, past };
    });
    if (!r.ok) throw new Error(`serializeTurn answered ${r.reason}`);
    return r.value;
  }

  it('stays exact when another instance adds an earlier conversation, or moves one to or away from the profile', async () => {
    await create(a, 'c', { profileId: 'p-1', createdAt: at(50) });
    await create(a, 'older', { profileId: 'p-1', createdAt: at(10) });
    const check = async (expected: number) => {
      const { conv, past } = await turnOn(a, 'c');
      expect(past).toBe(await plainCount(schema, 'p-1', conv));
      expect(past).toBe(expected);
      // And outside a turn, as the create path asks it.
      expect(await a.conversations.countForProfile('p-1', conv)).toBe(expected);
    };
    await check(1);
    await check(1);
    // B creates an earlier conversation with c's profile.
    await create(b, 'b-earlier', { profileId: 'p-1', createdAt: at(20) });
    await check(2);
    // A later one changes nothing in c's count (but the stamp moves).
    await create(b, 'b-later', { profileId: 'p-1', createdAt: at(60) });
    await check(2);
    // B moves an earlier conversation of another profile to c's profile.
    await create(b, 'elsewhere', { profileId: 'p-2', createdAt: at(5) });
    await check(2);
    await turnOn(b, 'elsewhere', 'p-1');
    await check(3);
    // B moves an earlier one away from c's profile.
    await turnOn(b, 'older', 'p-3');
    await check(2);
    // A itself moves one (its own writes count as any other's).
    await turnOn(a, 'older', 'p-1');
    await check(3);
    // A conversation of no profile gaining one.
    await create(b, 'visitor', { createdAt: at(1) });
    await check(3);
    await turnOn(b, 'visitor', 'p-1');
    await check(4);
  });

  it('never answers a count older than the last change committed before the turn, with turns and creates racing on three instances', async () => {
    const c3 = await openPostgresStore({ connectionString: PG_URL, schema, pool: { max: 2 } });
    try {
      await create(a, 'race', { profileId: 'race-p', createdAt: at(1000) });
      let started = 0;
      let done = 0;
      const writer = (async () => {
        for (let i = 0; i < 40; i++) {
          started++;
          await create(b, `race-${i}`, { profileId: 'race-p', createdAt: at(i) });
          done++;
        }
      })();
      const turns = [a, c3].map(async (store) => {
        const answers: { lo: number; past: number; hi: number }[] = [];
        while (done < 40) {
          const lo = done;
          const { past } = await turnOn(store, 'race');
          answers.push({ lo, past: past!, hi: started });
        }
        return answers;
      });
      await writer;
      const answers = (await Promise.all(turns)).flat();
      expect(answers.length).toBeGreaterThanOrEqual(4);
      for (const x of answers) {
        expect(x.past).toBeGreaterThanOrEqual(x.lo);
        expect(x.past).toBeLessThanOrEqual(x.hi);
      }
      for (const store of [a, c3, b]) expect((await turnOn(store, 'race')).past).toBe(40);
    } finally {
      await c3.close();
    }
  });

  it('moves c itself to another profile: the count is the new profile\'s, in the turn and after it', async () => {
    await create(a, 'm', { profileId: 'q-1', createdAt: at(50) });
    await create(a, 'q1-old', { profileId: 'q-1', createdAt: at(10) });
    await create(b, 'q2-old', { profileId: 'q-2', createdAt: at(10) });
    await create(b, 'q2-older', { profileId: 'q-2', createdAt: at(9) });
    expect((await turnOn(a, 'm')).past).toBe(1);
    expect((await turnOn(a, 'm', 'q-2')).past).toBe(2);
    expect((await turnOn(a, 'm')).past).toBe(2);
    expect((await turnOn(b, 'm')).past).toBe(2);
    expect((await turnOn(a, 'm', 'q-1')).past).toBe(1);
    expect((await turnOn(a, 'm')).past).toBe(1);
  });

  it('does not count again when nothing changed: the lock query answers the same stamp and a NULL count', async () => {
    const watched = await openPostgresStore({ connectionString: PG_URL, schema, pool: { max: 1 } });
    try {
      const seen = watchTurnRows(watched);
      await create(b, 'n', { profileId: 'r-1', createdAt: at(50) });
      await create(b, 'n-old', { profileId: 'r-1', createdAt: at(40) });
      expect((await turnOn(watched, 'n')).past).toBe(1);
      expect((await turnOn(watched, 'n')).past).toBe(1);
      expect((await turnOn(watched, 'n')).past).toBe(1);
      expect(seen.rows).toHaveLength(3);
      const [first, second, third] = seen.rows;
      expect(first!.past_conversations).toBe(1);
      expect(second).toEqual(expect.objectContaining({ past_conversations: null, profile_stamp: first!.profile_stamp }));
      expect(third).toEqual(expect.objectContaining({ past_conversations: null, profile_stamp: first!.profile_stamp }));
      // Outside a turn, the same memory: the stamp is read, the count is not.
      const conv = (await watched.conversations.get('n'))!;
      expect(await watched.conversations.countForProfile('r-1', conv)).toBe(1);
      expect(seen.counts).toEqual([{ stamp: first!.profile_stamp, n: null }]);
      // Another instance's change moves the stamp: counted again, once.
      await create(b, 'n-older', { profileId: 'r-1', createdAt: at(30) });
      expect((await turnOn(watched, 'n')).past).toBe(2);
      expect((await turnOn(watched, 'n')).past).toBe(2);
      expect(seen.rows[3]!.past_conversations).toBe(2);
      expect(seen.rows[3]!.profile_stamp).not.toBe(first!.profile_stamp);
      expect(seen.rows[4]).toEqual(expect.objectContaining({ past_conversations: null, profile_stamp: seen.rows[3]!.profile_stamp }));
    } finally {
      await watched.close();
    }
  });

  describe('the stamps (migration 8 triggers)', () => {
    const stamp = async (profileId: string): Promise<bigint> =>
      BigInt((await sql<{ s: string }>('SELECT coalesce((SELECT stamp FROM profile_conversation_stamps WHERE profile_id = $1), 0) AS s', [profileId], schema))[0]!.s);

    it('move with every change to which conversations a profile has or where they sort, and only then, and only grow', async () => {
      await create(a, 's1', { profileId: 's-a', createdAt: at(1) });
      const s0 = await stamp('s-a');
      expect(s0).toBeGreaterThan(0n);
      // A turn that keeps the profile (every turn sets profile_id) moves nothing.
      await turnOn(a, 's1');
      expect(await stamp('s-a')).toBe(s0);
      await sql("UPDATE conversations SET status = 'closed' WHERE id = 's1'", [], schema);
      expect(await stamp('s-a')).toBe(s0);
      // A move bumps both profiles.
      const before = await stamp('s-b');
      await turnOn(b, 's1', 's-b');
      const s1 = await stamp('s-a');
      expect(s1).toBeGreaterThan(s0);
      expect(await stamp('s-b')).toBeGreaterThan(before);
      // created_at decides what sorts before it.
      await sql("UPDATE conversations SET created_at = created_at - interval '1 minute' WHERE id = 's1'", [], schema);
      const s2 = await stamp('s-b');
      expect(s2).toBeGreaterThan(s1);
      // A delete (none is made today) and a writer whose search_path is elsewhere.
      await sql(`DELETE FROM "${schema}".conversations WHERE id = 's1'`, [], 'public');
      expect(await stamp('s-b')).toBeGreaterThan(s2);
    });

    it('two profiles bumped by many crossing moves at once, from two instances, do not deadlock', async () => {
      for (let i = 0; i < 8; i++) await create(a, `x${i}`, { profileId: i % 2 ? 'x-a' : 'x-b', createdAt: at(i) });
      await Promise.all(Array.from({ length: 8 }, (_, i) => turnOn(i % 2 ? a : b, `x${i}`, i % 2 ? 'x-b' : 'x-a')));
      await Promise.all(Array.from({ length: 8 }, (_, i) => create(i % 2 ? a : b, `y${i}`, { profileId: 'x-a', createdAt: at(20 + i) })));
      const last = (await a.conversations.get('y7'))!;
      expect(await a.conversations.countForProfile('x-a', last)).toBe(await plainCount(schema, 'x-a', last));
      expect(await a.conversations.countForProfile('x-a', last)).toBe(4 + 7);
    });
  });
});
