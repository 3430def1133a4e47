// Every TCP connection of the server and the requests in flight on it, so shutdown can close idle ones at once and drain the rest.
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface Tracked {
  /** Requests of this socket whose answer is not finished yet. */
  active: number;
}

/**
 * node's closeIdleConnections() skips a connection that never sent a request (and one whose headers are half sent),
 * so one idle TCP connection made SIGTERM wait the whole grace period. This tracks them all itself.
 */
export class ConnectionTracker {
  private readonly sockets = new Map<Socket, Tracked>();
  private readonly open = new Set<ServerResponse>();
  private draining = false;
  private closing = false;

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      // About to stop listening: a connection that slipped in now would hold server.close() open.
      if (this.closing) {
        socket.destroy();
        return;
      }
      this.sockets.set(socket, { active: 0 });
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (request, response: ServerResponse) => {
      const socket = request.socket;
      const tracked = this.sockets.get(socket);
      if (tracked) tracked.active += 1;
      this.open.add(response);
      response.once('close', () => {
        this.open.delete(response);
        if (!tracked) return;
        tracked.active -= 1;
        // Draining: a connection whose last answer went out is idle now, and closed like the others.
        if (this.draining && tracked.active === 0) socket.destroy();
      });
    });
  }

  /**
   * Starts the drain: closes every connection without a request in flight now (keep-alive, never used, or with
   * half-sent headers), each other one once its answers are out; resolves when the requests in flight at this
   * moment have all been answered. Connections opened meanwhile are served (the shutdown gate answers them).
   */
  drain(): Promise<void> {
    this.draining = true;
    for (const [socket, tracked] of this.sockets) if (tracked.active === 0) socket.destroy();
    const inFlight = [...this.open];
    return Promise.all(inFlight.map((response) => (response.closed ? Promise.resolve() : new Promise<void>((resolve) => response.once('close', () => resolve()))))).then(() => {});
  }

  /** The server stops listening now: idle connections are closed, and any new one is refused from here on. */
  close(): void {
    this.draining = true;
    this.closing = true;
    for (const [socket, tracked] of this.sockets) if (tracked.active === 0) socket.destroy();
  }

  /** Cuts every connection, answered or not: the grace period is over. */
  destroyAll(): void {
    for (const socket of this.sockets.keys()) socket.destroy();
  }

  get size(): number {
    return this.sockets.size;
  }
}
