// A TCP proxy that forwards requests but drops the first N connections once the server answers: the request applied, its answer lost.
import { connect, createServer, type Socket } from 'node:net';

export interface DropProxy {
  port: number;
  /** Connections whose answer was dropped so far. */
  dropped: number;
  close: () => Promise<void>;
}

export async function startDropProxy(target: { host: string; port: number }, drop: number): Promise<DropProxy> {
  const sockets = new Set<Socket>();
  let seen = 0;
  const server = createServer((client) => {
    const dropThis = ++seen <= drop;
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
        state.dropped++;
        client.destroy();
        upstream.destroy();
      });
    } else upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const state: DropProxy = {
    port: (server.address() as { port: number }).port,
    dropped: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return state;
}
