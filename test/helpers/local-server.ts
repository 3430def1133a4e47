// A real node:http server on 127.0.0.1 for lookup tests: counts requests and connections, closes cleanly.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LocalServer {
  url: string;
  port: number;
  /** Requests received, with their arrival time (ms, performance.now) and body. */
  requests: { method: string; url: string; at: number; body: string; headers: IncomingMessage['headers'] }[];
  connections: number;
  /** Sockets the server saw close; a lookup that gives up must close its connection. */
  closed: number;
  close: () => Promise<void>;
}

export async function startLocalServer(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests.push({ method: req.method ?? '', url: req.url ?? '', at: performance.now(), body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      handler(req, res, state.requests.length);
    });
  });
  server.on('connection', (s: Socket) => {
    state.connections++;
    sockets.add(s);
    s.on('close', () => {
      state.closed++;
      sockets.delete(s);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const state: LocalServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: [],
    connections: 0,
    closed: 0,
    close: () =>
      new Promise<void>((r) => {
        // Hanging test handlers never answer: their sockets are cut so close() returns.
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  return state;
}

export const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
