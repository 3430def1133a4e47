// SIGTERM against a real process with real sockets: idle connections close at once, probes answer while draining, the store closes.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serveProcess, type ServeProcess } from '../helpers/serve-process.ts';
import { assertPostgresUp, PG_URL, SKIP_POSTGRES, testSchemas } from '../store/postgres-env.ts';
import { firstAnswer, rawClient } from './sockets.ts';

const RUNTIME_KEY = 'tg_runtime_shutdown_test_0123456789abcdefghijklmnopqrstuvwxyz';
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tg-shutdown-'));
  await writeFile(join(dir, 'api-keys.json'), JSON.stringify({ keys: [{ id: 'runtime-1', role: 'runtime', key: RUNTIME_KEY }] }), { mode: 0o600 });
  return dir;
}

const request = (method: string, path: string, extra = '') => `${method} ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${RUNTIME_KEY}\r\n${extra}\r\n`;
const START_BODY = '{"widgetId":"shop-visitor"}';
/** The log line of a start whose headers the server has read: from then on it is a request in flight. */
const IN_FLIGHT = /"method":"POST","url":"\/v1\/conversations".*"msg":"incoming request"/;

/** One request on a new connection; resolves with the answer once the server closed it (every answer while draining closes). */
async function once(port: number, raw: string) {
  const c = await rawClient(port);
  c.socket.write(raw);
  const answer = firstAnswer(await c.closed);
  return answer;
}

const schemas = testSchemas();
beforeAll(async () => {
  if (!SKIP_POSTGRES) await assertPostgresUp();
});

const stores = [
  { name: 'SQLite', env: (): Record<string, string> => ({}) },
  ...(SKIP_POSTGRES ? [] : [{ name: 'PostgreSQL', env: (): Record<string, string> => ({ DATABASE_URL: PG_URL, THREADGATE_DATABASE_SCHEMA: schemas() }) }]),
];

describe.each(stores)('SIGTERM on $name', ({ name, env }) => {
  it('closes idle connections at once, answers probes and new requests while a request is in flight, then exits 0 with the store closed', async () => {
    const dir = await dataDir();
    const s: ServeProcess = await serveProcess(
      { ...env(), THREADGATE_DATA_DIR: dir, SHOP_JWT_SECRET: 'shutdown-test:Zq8vN2xR7mL4pT9wK3sD6fH1jB5cY0gA', THREADGATE_REQUEST_TIMEOUT_MS: '120000', THREADGATE_SHUTDOWN_GRACE_MS: '120000', THREADGATE_LOG_LEVEL: 'info' },
      children,
    );
    // A connection that never sent a request, and a keep-alive connection after one answer.
    const silent = await rawClient(s.port);
    const keepAlive = await rawClient(s.port);
    keepAlive.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await keepAlive.waitFor(/\r\n\r\n\{"status":"ok"\}/);
    // A start whose body is still arriving: in flight until the test sends the rest.
    const inFlight = await rawClient(s.port);
    inFlight.socket.write(request('POST', '/v1/conversations', `Content-Type: application/json\r\nContent-Length: ${START_BODY.length}\r\n`) + START_BODY.slice(0, 5));
    await s.waitForOutput(IN_FLIGHT);

    s.child.kill('SIGTERM');
    await s.waitForOutput(/SIGTERM, finishing in-flight requests/);
    // Idle connections do not hold the shutdown: closed now, not after the grace period.
    await silent.closed;
    await keepAlive.closed;

    // Still listening while draining: probes and new requests get their documented answers, on new connections.
    const ready = await once(s.port, 'GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ code: 'shutting_down' });
    expect(ready.headers).toMatch(/connection: close/i);
    const live = await once(s.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(live.status).toBe(200);
    const shed = await once(s.port, request('POST', '/v1/conversations', `Content-Type: application/json\r\nContent-Length: ${START_BODY.length}\r\n`) + START_BODY);
    expect(shed.status).toBe(503);
    expect(shed.body).toMatchObject({ code: 'shutting_down' });

    // The request in flight is served in full, then the process exits cleanly.
    inFlight.socket.write(START_BODY.slice(5));
    const answer = firstAnswer(await inFlight.closed);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.headers).toMatch(/connection: close/i);
    expect(await s.exited, s.output()).toBe(0);
    if (name === 'SQLite') expect(existsSync(join(dir, 'threadgate.db-wal')), 'the WAL was checkpointed and removed: the store closed').toBe(false);
  }, 60_000);
});

describe('SIGTERM past the grace period', () => {
  it('cuts the request still in flight, closes the store (no WAL left) and exits 1', async () => {
    const dir = await dataDir();
    const s = await serveProcess({ THREADGATE_DATA_DIR: dir, SHOP_JWT_SECRET: 'shutdown-test:Zq8vN2xR7mL4pT9wK3sD6fH1jB5cY0gA', THREADGATE_REQUEST_TIMEOUT_MS: '120000', THREADGATE_SHUTDOWN_GRACE_MS: '200', THREADGATE_LOG_LEVEL: 'info' }, children);
    const stalled = await rawClient(s.port);
    stalled.socket.write(request('POST', '/v1/conversations', `Content-Type: application/json\r\nContent-Length: ${START_BODY.length}\r\n`) + START_BODY.slice(0, 5));
    // In flight before the signal: its incoming-request line is logged once its headers were read.
    await s.waitForOutput(IN_FLIGHT);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(1);
    await stalled.closed;
    expect(s.output()).toMatch(/grace period over/);
    expect(existsSync(join(dir, 'threadgate.db-wal'))).toBe(false);
  }, 60_000);
});
