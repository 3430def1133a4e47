// executeLookup against real local servers on 127.0.0.1: allow list, private addresses, timeouts, retries, size, schema.
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { executeLookup, hostAllowed, isPrivateAddress, type LookupOptions, type LookupRequest } from '../../src/runtime/lookups.ts';
import { json, startLocalServer, type LocalServer } from '../helpers/local-server.ts';

const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(handler: Parameters<typeof startLocalServer>[0]): Promise<LocalServer> {
  const s = await startLocalServer(handler);
  servers.push(s);
  return s;
}

/** A bare TCP listener: it proves whether anything tried to connect, whatever the protocol. */
async function tcpListener() {
  const seen = { connections: 0 };
  const srv = createTcpServer((s) => {
    seen.connections++;
    s.destroy();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  servers.push({ close: () => new Promise<void>((r) => srv.close(() => r())) });
  return { port: (srv.address() as AddressInfo).port, seen };
}

const LOCAL: LookupOptions = { allowHosts: ['127.0.0.1'], allowPrivate: true, backoffMs: 20 };
const req = (url: string, over: Partial<LookupRequest> = {}): LookupRequest => ({ url, method: 'GET', body: null, timeoutMs: 2000, retries: 2, maxBytes: 65536, ...over });

describe('executeLookup', () => {
  it('returns the JSON data and sends a POST body as JSON', async () => {
    const s = await server((_q, res) => json(res, 200, { order: 'R-1', status: 'shipped' }));
    const r = await executeLookup(req(`${s.url}/orders`, { method: 'POST', body: { email: 'julie@example.com' } }), { type: 'object', required: ['status'], properties: { status: { type: 'string' } } }, LOCAL);
    expect(r).toEqual({ status: 'ok', data: { order: 'R-1', status: 'shipped' } });
    expect(s.requests).toMatchObject([{ method: 'POST', url: '/orders', body: '{"email":"julie@example.com"}' }]);
    expect(s.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('refuses a host that is not on the allow list, without connecting', async () => {
    const s = await server((_q, res) => json(res, 200, {}));
    const r = await executeLookup(req(`${s.url}/orders`), null, { ...LOCAL, allowHosts: ['orders.example.com'] });
    expect(r).toEqual({ status: 'error', error: 'host_not_allowed' });
    expect(s.connections).toBe(0);
  });

  it.each(['https://127.0.0.1:PORT/x', 'https://[::ffff:127.0.0.1]:PORT/x', 'https://localhost:PORT/x'])('refuses loopback without allowPrivate: %s', async (template) => {
    const { port, seen } = await tcpListener();
    const url = template.replace('PORT', String(port));
    const r = await executeLookup(req(url, { retries: 0 }), null, { allowHosts: ['127.0.0.1', '::ffff:127.0.0.1', 'localhost'], allowPrivate: false });
    expect(r).toEqual({ status: 'error', error: 'host_not_allowed' });
    // localhost is refused after DNS, inside the connection's own lookup: nothing may reach the socket.
    expect(seen.connections).toBe(0);
  });

  it('refuses plain http without allowPrivate, even to an allowed host', async () => {
    const s = await server((_q, res) => json(res, 200, {}));
    expect(await executeLookup(req(`${s.url}/x`), null, { allowHosts: ['127.0.0.1'], allowPrivate: false })).toEqual({ status: 'error', error: 'host_not_allowed' });
    expect(s.connections).toBe(0);
  });

  it('times out each attempt against a server that never answers, and retries timeouts', async () => {
    const s = await server(() => {});
    const waits: number[] = [];
    const r = await executeLookup(req(`${s.url}/slow`, { timeoutMs: 150, retries: 1 }), null, { ...LOCAL, backoffMs: 60, sleep: async (ms) => void waits.push(ms) });
    // Each attempt reached the server and was given up as a timeout (the server never answers), then retried once.
    expect(r).toEqual({ status: 'error', error: 'timeout' });
    expect(s.requests).toHaveLength(2);
    expect(waits).toEqual([60]);
  });

  it('retries 5xx with exponential backoff, then succeeds', async () => {
    const s = await server((_q, res, n) => (n < 3 ? json(res, 503, { busy: true }) : json(res, 200, { ok: 1 })));
    // The waits are recorded, not timed: a loaded machine makes timers late, never the schedule wrong.
    const waits: number[] = [];
    const r = await executeLookup(req(`${s.url}/x`, { retries: 2 }), null, { ...LOCAL, backoffMs: 60, sleep: async (ms) => void waits.push(ms) });
    expect(r).toEqual({ status: 'ok', data: { ok: 1 } });
    expect(s.requests).toHaveLength(3);
    expect(waits).toEqual([60, 120]); // twice the first wait
  });

  it('waits with real timers by default', async () => {
    const s = await server((_q, res, n) => (n < 2 ? json(res, 503, {}) : json(res, 200, { ok: 2 })));
    expect(await executeLookup(req(`${s.url}/x`, { retries: 1 }), null, { ...LOCAL, backoffMs: 1 })).toEqual({ status: 'ok', data: { ok: 2 } });
  });

  it('gives up with http_status after the last retry of a 5xx', async () => {
    const s = await server((_q, res) => json(res, 500, {}));
    expect(await executeLookup(req(`${s.url}/x`, { retries: 2 }), null, LOCAL)).toEqual({ status: 'error', error: 'http_status' });
    expect(s.requests).toHaveLength(3);
  });

  it.each([404, 401, 302])('does not retry a %i', async (status) => {
    const s = await server((_q, res) => {
      res.writeHead(status, { location: 'http://10.0.0.1/' });
      res.end('{}');
    });
    expect(await executeLookup(req(`${s.url}/x`, { retries: 3 }), null, LOCAL)).toEqual({ status: 'error', error: 'http_status' });
    expect(s.requests).toHaveLength(1);
  });

  it('stops reading past maxBytes while streaming and closes the connection', async () => {
    const s = await server((_q, res) => {
      // Chunked, no content-length, and never ended: only a streaming limit can stop this.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`["${'x'.repeat(600)}`);
      const t = setInterval(() => res.write('x'.repeat(600)), 5);
      res.on('close', () => clearInterval(t));
    });
    const r = await executeLookup(req(`${s.url}/big`, { maxBytes: 2000, retries: 2 }), null, LOCAL);
    expect(r).toEqual({ status: 'error', error: 'too_large' });
    expect(s.requests).toHaveLength(1);
    await expect.poll(() => s.closed).toBe(1);
  });

  it('refuses a declared content-length over maxBytes before reading', async () => {
    // Headers only, body never sent: only the declared length can end this before the timeout.
    const s = await server((_q, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' }).flushHeaders());
    expect(await executeLookup(req(`${s.url}/x`, { maxBytes: 100, timeoutMs: 1000 }), null, LOCAL)).toEqual({ status: 'error', error: 'too_large' });
  });

  it('reports invalid JSON as invalid_response without retrying', async () => {
    const s = await server((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"order": ');
    });
    expect(await executeLookup(req(`${s.url}/x`), null, LOCAL)).toEqual({ status: 'error', error: 'invalid_response' });
    expect(s.requests).toHaveLength(1);
  });

  it('reports a response that does not match the schema as invalid_response', async () => {
    const s = await server((_q, res) => json(res, 200, { status: 42 }));
    const schema = { type: 'object' as const, required: ['status'], properties: { status: { type: 'string' as const, enum: ['shipped', 'pending'] } } };
    expect(await executeLookup(req(`${s.url}/x`), schema, LOCAL)).toEqual({ status: 'error', error: 'invalid_response' });
  });

  it('reports a refused connection as network after retrying', async () => {
    const s = await server(() => {});
    const url = `${s.url}/x`;
    await s.close();
    servers.pop();
    expect(await executeLookup(req(url, { retries: 1 }), null, LOCAL)).toEqual({ status: 'error', error: 'network' });
  });

  it('checks addresses before an injected fetch is called', async () => {
    let calls = 0;
    const f: typeof fetch = async (...args) => {
      calls++;
      return fetch(...args);
    };
    expect(await executeLookup(req('https://localhost:1/x'), null, { allowHosts: ['localhost'], allowPrivate: false, fetch: f })).toEqual({ status: 'error', error: 'host_not_allowed' });
    expect(calls).toBe(0);
    const s = await server((_q, res) => json(res, 200, { via: 'fetch' }));
    expect(await executeLookup(req(`${s.url}/x`), null, { ...LOCAL, fetch: f })).toEqual({ status: 'ok', data: { via: 'fetch' } });
    expect(calls).toBe(1);
  });
});

describe('address and host checks', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', 'not-an-ip'])('%s is private', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1'])('%s is public', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
  it('matches hosts exactly or by a subdomain wildcard', () => {
    expect(hostAllowed('Orders.Example.com', ['orders.example.com'])).toBe(true);
    expect(hostAllowed('api.example.com', ['*.example.com'])).toBe(true);
    expect(hostAllowed('example.com', ['*.example.com'])).toBe(false);
    expect(hostAllowed('evilexample.com', ['*.example.com'])).toBe(false);
    expect(hostAllowed('orders.example.com.evil.io', ['orders.example.com'])).toBe(false);
  });
});
