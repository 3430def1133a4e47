// A TCP proxy in front of a real server, so a test can drop every connection and refuse new ones, then let them through again,
// or lose the answers of the first N connections (the request applied, its answer never delivered).
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every open connection and stops listening: new connections are refused (ECONNREFUSED). */
  cut: () => Promise<void>;
  /** Listens again on the same port. */
  restore: () => Promise<void>;
  close: () => Promise<void>;
  /** Connections whose answer was dropped so far (`dropAnswers`). */
  readonly dropped: number;
}

export async function startTcpProxy(target: { host: string; port: number }, opts: { dropAnswers?: number } = {}): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let seen = 0;
  let dropped = 0;
  const serve = (): Server =>
    createServer((client) => {
      const dropThis = ++seen <= (opts.dropAnswers ?? 0);
      const upstream = connect(target.port, target.host);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream);
      if (dropThis) {
        // The server has done the work when its answer starts: cut the client off before any byte of it arrives.
        upstream.once('data', () => {
          dropped++;
          client.destroy();
          upstream.destroy();
        });
      } else upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  let server = serve();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return {
    port,
    get dropped() {
      return dropped;
    },
    cut: stop,
    restore: async () => {
      server = serve();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
    },
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}
