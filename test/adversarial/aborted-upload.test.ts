// A client that hangs up mid-upload is logged at info, not as an error, and the server keeps serving.
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { auth, buildTestApp, KEYS } from '../http/helpers.ts';

it('an aborted upload logs "client closed the connection" at info level, and no error', async () => {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as { level: number; msg: string });
      done();
    },
  });
  const t = await buildTestApp({ logger: { level: 'info', stream } as never });
  try {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.server.address() as AddressInfo).port;
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.on('connect', resolve));
    socket.write(`POST /v1/conversations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.runtime}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"widgetId":`);
    // Hang up once the server has started reading the body.
    await expect.poll(() => lines.some((l) => l.msg === 'incoming request'), { timeout: 10_000 }).toBe(true);
    socket.destroy();
    await expect.poll(() => lines.some((l) => l.msg === 'client closed the connection before the body arrived'), { timeout: 10_000 }).toBe(true);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect((await t.app.inject({ url: '/v1/widgets', headers: auth('admin') })).statusCode).toBe(200);
  } finally {
    await t.close();
  }
});
