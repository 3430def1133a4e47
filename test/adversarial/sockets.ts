// Raw TCP clients for the time and shutdown suites: write exactly the bytes a test wants, read what comes back until close.
import { connect, type Socket } from 'node:net';

export interface RawClient {
  socket: Socket;
  /** Everything received so far. */
  received: () => string;
  /** Resolves with everything received once the server closed the connection. */
  closed: Promise<string>;
  /** Resolves once `pattern` appears in what was received (or rejects when the connection closes first). */
  waitFor: (pattern: RegExp) => Promise<string>;
}

/** Opens a TCP connection to 127.0.0.1:port; resolves once connected. */
export async function rawClient(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  const waiters: { pattern: RegExp; resolve: (s: string) => void; reject: (e: Error) => void }[] = [];
  socket.on('data', (chunk: Buffer) => {
    data += chunk.toString('utf8');
    for (const w of waiters.splice(0)) (w.pattern.test(data) ? w.resolve(data) : waiters.push(w));
  });
  // A reset by the server is an outcome the tests look at, not a crash of the test process.
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) =>
    socket.on('close', () => {
      for (const w of waiters.splice(0)) w.reject(new Error(`connection closed before ${w.pattern}; received: ${data.slice(0, 300)}`));
      resolve(data);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => data,
    closed,
    waitFor: (pattern) => (pattern.test(data) ? Promise.resolve(data) : new Promise((resolve, reject) => waiters.push({ pattern, resolve, reject }))),
  };
}

/** The status code and JSON body of the first HTTP answer in `raw`. */
export function firstAnswer(raw: string): { status: number; headers: string; body: Record<string, unknown> | null } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
  const [head = '', rest = ''] = raw.split('\r\n\r\n', 2);
  const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? -1);
  const text = length >= 0 ? rest.slice(0, length) : rest;
  let body: Record<string, unknown> | null = null;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = null;
  }
  return { status, headers: head, body };
}
