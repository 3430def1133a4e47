// Two services on two pools over one PostgreSQL schema: 200 simultaneous turns on one conversation are all applied, none refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/store.ts';
import { assertPostgresUp, PG_URL, SKIP_POSTGRES, SKIP_REASON, testSchemas } from '../store/postgres-env.ts';
import { auth, buildTestApp, shopToken, type TestApp } from '../http/helpers.ts';

const schemas = testSchemas();

/** A promise the test opens by hand, so "still waiting" is a fact, not a duration. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

describe.skipIf(SKIP_POSTGRES)(`turns serialized across two PostgreSQL instances${SKIP_POSTGRES ? ` (${SKIP_REASON})` : ''}`, () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    await assertPostgresUp();
    const schema = schemas();
    // Small pools on purpose: a lock wait that took a connection the holder needs would hang here.
    const open = () => openPostgresStore({ connectionString: PG_URL, schema, pool: { max: 2 } });
    a = await buildTestApp({ store: await open(), rateLimitPerMinute: 1_000_000, newId: () => crypto.randomUUID() });
    b = await buildTestApp({ store: await open(), rateLimitPerMinute: 1_000_000, newId: () => crypto.randomUUID() });
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('applies all 200 turns sent at once, alternating between the instances, each instance\'s in arrival order', async () => {
    const started = await a.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-optional' } });
    expect(started.statusCode, started.body).toBe(201);
    const id = started.json().conversationId as string;
    const token = await shopToken('julie@example.com', a.clock.now);
    const n = 200;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        (i % 2 ? b : a).app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: { ...auth('runtime'), 'idempotency-key': `k-${i}` }, payload: { type: 'message', text: `m${i}`, token } }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(n).fill(200));
    const versions = results.map((r) => r.json().version as number);
    expect([...versions].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i + 2));
    const customer = (await a.store.conversations.timeline(id)).filter((e) => e.from === 'customer');
    const said = customer.map((e) => Number(e.text.slice(1)));
    expect([...said].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
    // Within each instance the queue keeps arrival order; between them the lock decides who goes next.
    for (const parity of [0, 1]) {
      const mine = said.filter((i) => i % 2 === parity);
      expect(mine).toEqual([...mine].sort((x, y) => x - y));
    }
    // Each text sits at the version its answer reported: nothing applied twice, nothing reordered after answering.
    for (const e of customer) expect(versions[Number(e.text.slice(1))]).toBe(e.turn);
    // A resend to the other instance answers the stored answer.
    const again = await b.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: { ...auth('runtime'), 'idempotency-key': 'k-0' }, payload: { type: 'message', text: 'm0', token } });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replay']).toBe('true');
    expect(again.json()).toEqual(results[0]!.json());
  }, 120_000);

  it('a turn on another conversation completes while one instance holds a conversation\'s lock, and a lock held past the wait is 503 conversation_busy', async () => {
    const store = a.store as PostgresStore;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await a.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } });
      ids.push(r.json().conversationId);
    }
    const [held, other] = ids as [string, string];
    const release = gate();
    const entered = gate();
    // Instance A holds held's turn lock, as a turn in the middle of a slow lookup would.
    const holding = store.conversations.serializeTurn(held, 10_000, async () => {
      entered.open();
      await release.opened;
      return 'held';
    });
    await entered.opened;
    const onOther = await b.app.inject({ method: 'POST', url: `/v1/conversations/${other}/turns`, headers: auth('runtime'), payload: { type: 'message', text: 'not blocked' } });
    expect(onOther.statusCode).toBe(200);
    // B's turn on the held conversation waits for the lock; it is still pending after B answered the other one.
    let waited = false;
    const waiting = b.app
      .inject({ method: 'POST', url: `/v1/conversations/${held}/turns`, headers: auth('runtime'), payload: { type: 'message', text: 'after the holder' } })
      .then((r) => ((waited = true), r));
    const third = await b.app.inject({ method: 'POST', url: `/v1/conversations/${other}/turns`, headers: auth('runtime'), payload: { type: 'message', text: 'still not blocked' } });
    expect(third.statusCode).toBe(200);
    expect(waited).toBe(false);
    // With a short wait, the store answers lock_timeout without running the turn.
    let ran = false;
    expect(await (b.store as PostgresStore).conversations.serializeTurn(held, 20, async () => (ran = true))).toEqual({ ok: false, reason: 'lock_timeout' });
    expect(ran).toBe(false);
    release.open();
    expect(await holding).toEqual({ ok: true, value: 'held' });
    const after = await waiting;
    expect(after.statusCode).toBe(200);
    expect(after.json().version).toBe(2);
  }, 60_000);

  it('a turn whose lock holder throws releases the lock for the next one', async () => {
    const store = a.store as PostgresStore;
    await expect(store.conversations.serializeTurn('any-id', 1000, async () => Promise.reject(new Error('turn failed')))).rejects.toThrow('turn failed');
    expect(await (b.store as PostgresStore).conversations.serializeTurn('any-id', 1000, async () => 'next')).toEqual({ ok: true, value: 'next' });
  });
});
