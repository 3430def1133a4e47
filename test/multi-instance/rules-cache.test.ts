// Two real server processes on one PostgreSQL schema: an admin change acknowledged by one instance is what the other serves next, caches or not.
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPostgresUp, SKIP_POSTGRES, SKIP_REASON, testSchemas } from '../store/postgres-env.ts';
import { ADMIN_KEY, call, serve, sharedDataDir, stopAll, type Instance } from './servers.ts';

const children: ChildProcess[] = [];
const schemas = testSchemas();

async function admin(url: string, method: 'PUT' | 'POST' | 'DELETE', body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
}

describe.skipIf(SKIP_POSTGRES)(`rules caches across two instances on one PostgreSQL database${SKIP_POSTGRES ? ` (${SKIP_REASON})` : ''}`, () => {
  let a: Instance;
  let b: Instance;
  let widgetSource: string;
  let threadSource: string;

  beforeAll(async () => {
    await assertPostgresUp();
    const schema = schemas();
    const dataDir = await sharedDataDir();
    a = await serve(schema, dataDir, children);
    b = await serve(schema, dataDir, children);
    widgetSource = await readFile('rules/widgets/shop-visitor.yaml', 'utf8');
    threadSource = await readFile('rules/threads/returns.yaml', 'utf8');
  }, 60_000);

  afterAll(() => stopAll(children));

  /** Starts on `on` and sends a few turns there, so that instance has the widget and thread cached. */
  async function warm(on: Instance): Promise<string> {
    const started = await call(`${on.url}/v1/conversations`, 'POST', { widgetId: 'shop-visitor' });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.conversationId as string;
    for (const text of ['hello', 'hello again']) expect((await call(`${on.url}/v1/conversations/${id}/turns`, 'POST', { type: 'message', text })).status).toBe(200);
    return id;
  }

  it('a widget replaced on one instance is the one the other answers with on its very next turn', async () => {
    const id = await warm(b);
    const before = await call(`${b.url}/v1/conversations/${id}/turns`, 'POST', { type: 'message', text: 'hi' });
    expect(before.body.capabilities.loginUrl).toBe('https://shop.example.com/login?next=/help');
    const changed = widgetSource.replace('loginUrl: https://shop.example.com/login?next=/help', 'loginUrl: https://shop.example.com/sign-in');
    expect(changed).not.toBe(widgetSource);
    expect((await admin(`${a.url}/v1/widgets/shop-visitor`, 'PUT', { source: changed })).status).toBe(200);
    const after = await call(`${b.url}/v1/conversations/${id}/turns`, 'POST', { type: 'message', text: 'hi' });
    expect(after.status).toBe(200);
    expect(after.body.capabilities.loginUrl).toBe('https://shop.example.com/sign-in');
    // And back, so the other cases start from the file's widget.
    expect((await admin(`${a.url}/v1/widgets/shop-visitor`, 'PUT', { source: widgetSource })).status).toBe(200);
    expect((await call(`${b.url}/v1/conversations/${id}/turns`, 'POST', { type: 'message', text: 'hi' })).body.capabilities.loginUrl).toBe('https://shop.example.com/login?next=/help');
  }, 30_000);

  it('a widget deleted on one instance is refused by the other on its next turn and its next start', async () => {
    const id = await warm(b);
    expect((await admin(`${a.url}/v1/widgets/shop-visitor`, 'DELETE')).status).toBe(204);
    const turn = await call(`${b.url}/v1/conversations/${id}/turns`, 'POST', { type: 'message', text: 'still there?' });
    expect(turn.status).toBe(404);
    expect(turn.body.code).toBe('widget_not_found');
    const start = await call(`${b.url}/v1/conversations`, 'POST', { widgetId: 'shop-visitor' });
    expect(start.status).toBe(404);
    expect(start.body.code).toBe('widget_not_found');
    // Put back through the other instance: b serves it again at once.
    expect((await admin(`${b.url}/v1/widgets/shop-visitor`, 'PUT', { source: widgetSource })).status).toBe(200);
    expect((await call(`${b.url}/v1/conversations/${id}/turns`, 'POST', { type: 'message', text: 'back?' })).status).toBe(200);
  }, 30_000);

  it('a thread published, then rolled back, on one instance is the version the other starts conversations on next', async () => {
    const first = await warm(b);
    expect((await call(`${b.url}/v1/conversations/${first}`, 'GET')).body.threadVersion).toBe(1);
    expect((await admin(`${a.url}/v1/threads/returns/draft`, 'PUT', { source: `${threadSource}\n# v2\n` })).status).toBe(200);
    const published = await admin(`${a.url}/v1/threads/returns/publish`, 'POST');
    expect(published.status).toBe(201);
    expect(published.body.version).toBe(2);
    const second = await call(`${b.url}/v1/conversations`, 'POST', { widgetId: 'shop-visitor' });
    expect((await call(`${b.url}/v1/conversations/${second.body.conversationId}`, 'GET')).body.threadVersion).toBe(2);
    expect((await admin(`${a.url}/v1/threads/returns/rollback`, 'POST', { version: 1 })).status).toBe(200);
    const third = await call(`${b.url}/v1/conversations`, 'POST', { widgetId: 'shop-visitor' });
    expect((await call(`${b.url}/v1/conversations/${third.body.conversationId}`, 'GET')).body.threadVersion).toBe(1);
    // Conversations keep the version they started with: the v2 one still runs on b.
    expect((await call(`${b.url}/v1/conversations/${second.body.conversationId}/turns`, 'POST', { type: 'message', text: 'hi' })).status).toBe(200);
  }, 30_000);
});
