// Two real server processes on one PostgreSQL schema: concurrent turns are applied once each, in order, and profiles are not duplicated.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../../src/store/migrations/postgres.ts';
import { assertPostgresUp, SKIP_POSTGRES, SKIP_REASON, sql, testSchemas } from '../store/postgres-env.ts';
import { call, serve, sharedDataDir, stopAll, untilSettled, type Instance } from './servers.ts';

const children: ChildProcess[] = [];
const schemas = testSchemas();

describe.skipIf(SKIP_POSTGRES)(`two instances on one PostgreSQL database${SKIP_POSTGRES ? ` (${SKIP_REASON})` : ''}`, () => {
  let a: Instance;
  let b: Instance;
  let schema: string;

  beforeAll(async () => {
    await assertPostgresUp();
    schema = schemas();
    const dataDir = await sharedDataDir();
    // Both at once on a fresh schema: migrations and rules seeding race here.
    [a, b] = await Promise.all([serve(schema, dataDir, children), serve(schema, dataDir, children)]);
  }, 60_000);

  afterAll(() => stopAll(children));

  it('migrated the schema once and published the rules folder once', async () => {
    // One row per migration: neither instance applied one twice.
    expect(await sql('SELECT version FROM schema_migrations ORDER BY version', [], schema)).toEqual(POSTGRES_MIGRATIONS.map((m) => ({ version: m.version })));
    expect(await sql('SELECT thread_id, version FROM thread_versions', [], schema)).toEqual([{ thread_id: 'returns', version: 1 }]);
    for (const i of [a, b]) expect((await fetch(`${i.url}/readyz`)).status).toBe(200);
  });

  it('applies every turn sent to both instances exactly once, with versions strictly increasing', async () => {
    const instances = [a, b];
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await call(`${instances[i % 2]!.url}/v1/conversations`, 'POST', { widgetId: 'shop-visitor' }, { 'idempotency-key': `start-${i}` });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      ids.push(r.body.conversationId);
    }
    const perConversation = 8;
    // Each turn goes to both instances at once with one key: one applies it, the other replays (or retries then replays).
    const sent = ids.flatMap((id, c) => Array.from({ length: perConversation }, (_, m) => ({ id, key: randomUUID(), text: `c${c}-m${m}` })));
    const answers = await Promise.all(
      sent.map(async (t) => {
        const both = await Promise.all(
          instances.map((i) => untilSettled(() => call(`${i.url}/v1/conversations/${t.id}/turns`, 'POST', { type: 'message', text: t.text }, { 'idempotency-key': t.key }))),
        );
        return { ...t, both };
      }),
    );
    for (const { text, both } of answers) {
      expect(both.map((r) => r.status), `${text}: ${JSON.stringify(both.map((r) => r.body))}`).toEqual([200, 200]);
      // Same answer from both instances: the same applied version.
      expect(both[0]!.body.version).toBe(both[1]!.body.version);
      expect(both.filter((r) => !r.replayed)).toHaveLength(1);
    }
    for (const [c, id] of ids.entries()) {
      const conv = (await call(`${instances[c % 2]!.url}/v1/conversations/${id}`, 'GET')).body as { version: number; timeline: { seq: number; turn: number; from: string; text: string }[] };
      const mine = answers.filter((t) => t.id === id);
      // Nothing lost, nothing twice: every text once among the customer entries, and one version per turn.
      const said = conv.timeline.filter((e) => e.from === 'customer');
      expect(said.map((e) => e.text).sort()).toEqual(mine.map((t) => t.text).sort());
      expect(conv.version).toBe(1 + perConversation);
      const versions = mine.map((t) => t.both[0]!.body.version as number).sort((x, y) => x - y);
      expect(versions).toEqual(Array.from({ length: perConversation }, (_, i) => i + 2));
      // The timeline in seq order never goes back in turns: versions strictly increase along it.
      const turns = said.map((e) => e.turn);
      for (let i = 1; i < turns.length; i++) expect(turns[i]!).toBeGreaterThan(turns[i - 1]!);
      for (const e of said) expect(versions).toContain(e.turn);
    }
  }, 60_000);

  it('creates one profile when both instances meet the same new email at the same time', async () => {
    const email = `new-${randomUUID().slice(0, 8)}@example.com`;
    const started = await Promise.all([a, b].flatMap((i) => [0, 1].map(() => call(`${i.url}/v1/conversations`, 'POST', { widgetId: 'shop-visitor' }))));
    const ids = started.map((s) => s.body.conversationId as string);
    const instanceOf = (n: number) => (n < 2 ? a : b);
    const identified = await Promise.all(
      ids.map((id, n) => untilSettled(() => call(`${instanceOf(n).url}/v1/conversations/${id}/turns`, 'POST', { type: 'identify', user: { name: 'Julie Doe', email: n % 2 ? email.toUpperCase() : email } }))),
    );
    expect(identified.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const profiles = await Promise.all(ids.map(async (id, n) => (await call(`${instanceOf(n).url}/v1/conversations/${id}`, 'GET')).body.profile as { id: string | null }));
    expect(profiles[0]!.id).toBeTruthy();
    expect(new Set(profiles.map((p) => p.id)).size).toBe(1);
    expect(await sql('SELECT profile_id FROM profile_emails WHERE email = $1', [email], schema)).toEqual([{ profile_id: profiles[0]!.id }]);
    expect((await sql<{ n: number }>('SELECT count(*)::int AS n FROM profiles', [], schema))[0]!.n).toBe(1);
  }, 30_000);
});
