// Slow and broken clients against a real listening server: stalled bodies and headers are cut with a 408, aborts are not errors.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loggerOptions } from '../../src/server.ts';
import { buildTestApp, KEYS, type TestApp } from '../http/helpers.ts';
import { INTERNAL_TEXT } from './hostile.ts';
import { firstAnswer, rawClient } from './sockets.ts';

const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await buildTestApp({
    requestTimeoutMs: 1000,
    logger: { ...loggerOptions('debug'), stream: { write: (line: string) => void lines.push(JSON.parse(line)) } },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await t.close();
});

const startHead = (length: number) =>
  `POST /v1/conversations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.runtime}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

function expectOurShape(raw: string, status: number, code: string): void {
  const answer = firstAnswer(raw);
  expect(answer.status, raw).toBe(status);
  expect(answer.body).toMatchObject({ code, message: expect.any(String), requestId: expect.any(String) });
  expect(Object.keys(answer.body!).sort()).toEqual(['code', 'message', 'requestId']);
  for (const pattern of INTERNAL_TEXT) expect(raw).not.toMatch(pattern);
}

describe('THREADGATE_REQUEST_TIMEOUT_MS bounds the whole request', () => {
  it('a body that stalls halfway gets 408 request_timeout in our shape, and its connection is closed', async () => {
    const c = await rawClient(port);
    c.socket.write(`${startHead(100)}{"widgetId":`);
    const raw = await c.closed;
    expectOurShape(raw, 408, 'request_timeout');
    expect(raw).toMatch(/connection: close/i);
  }, 20_000);

  it('a header that stalls gets the same 408, and its connection is closed', async () => {
    const c = await rawClient(port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    expectOurShape(await c.closed, 408, 'request_timeout');
  }, 20_000);

  it('a request line that stops after one byte gets the same 408', async () => {
    const c = await rawClient(port);
    // Node counts a request from its first byte (an idle keep-alive connection ends with keepAliveTimeout instead).
    c.socket.write('G');
    expectOurShape(await c.closed, 408, 'request_timeout');
  }, 20_000);

  it('bytes that are not HTTP get 400 http_invalid in our shape', async () => {
    const c = await rawClient(port);
    c.socket.write('HELLO THERE\r\n\r\n');
    expectOurShape(await c.closed, 400, 'http_invalid');
  }, 20_000);

  it('headers over 16 KiB get 431 headers_too_large', async () => {
    const c = await rawClient(port);
    c.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expectOurShape(await c.closed, 431, 'headers_too_large');
  }, 20_000);
});

describe('a client that aborts its upload', () => {
  it('is logged at info (not as an error), gets nothing written, and the server keeps answering', async () => {
    const before = lines.length;
    const c = await rawClient(port);
    c.socket.write(`${startHead(1000)}{"widgetId":"shop-visitor","context":{"a":"`);
    // Wait until the request reached the route's body parser (its incoming-request line is logged), then abort.
    await vi.waitFor(() => expect(lines.slice(before).some((l) => l.msg === 'incoming request')).toBe(true), { timeout: 10_000 });
    c.socket.destroy();
    await vi.waitFor(() => expect(lines.slice(before).some((l) => l.msg === 'client closed the connection before the body arrived'), JSON.stringify(lines.slice(before))).toBe(true), { timeout: 5_000 });
    const mine = lines.slice(before);
    expect(mine.filter((l) => l.level >= 50), JSON.stringify(mine)).toEqual([]);
    expect(mine.find((l) => l.msg === 'client closed the connection before the body arrived')!.level).toBe(30);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  }, 20_000);
});
