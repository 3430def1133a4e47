// The node:http server under fastify: timeouts that really bound a stalled request, and connection-level errors in our shape.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { HTTP_ERRORS, type HttpErrorCode } from './error-catalogue.ts';

/** fastify's default, kept: longer than the usual load balancer idle timeout (60 s), so the balancer closes first. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/**
 * Node checks request and header timeouts only every `connectionsCheckingInterval` (30 s by default), and its
 * `headersTimeout` (60 s) runs on its own clock: a 15 s request timeout let a stalled body hold its socket ~90 s.
 * All three are set together here: the whole request, headers included, within `requestTimeoutMs`, checked every
 * second (or more often for short timeouts), so a stalled request is cut at most a second past the bound.
 */
export function serverFactory(requestTimeoutMs: number) {
  return (handler: RequestListener<typeof IncomingMessage, typeof ServerResponse>): Server => {
    const server = createServer(
      { requestTimeout: requestTimeoutMs, headersTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(requestTimeoutMs / 4))) },
      handler,
    );
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    return server;
  };
}

/** The answer to a connection-level error, as node's own handling decides between them. */
function codeFor(err: NodeJS.ErrnoException): HttpErrorCode {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  if (err.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  return 'http_invalid';
}

const REASONS: Record<string, string> = { request_timeout: 'Request Timeout', headers_too_large: 'Request Header Fields Too Large', http_invalid: 'Bad Request' };

/**
 * fastify's `clientErrorHandler`: errors node raises on a connection before or outside a request handler (a request
 * not received in time, bytes that are not HTTP, a peer that reset). They get our error shape instead of fastify's;
 * a reset needs no answer and is logged at debug, since a client going away is not a fault of ours.
 */
export function clientErrorHandler(this: { log: FastifyBaseLogger }, err: NodeJS.ErrnoException, socket: Socket): void {
  // A peer that reset or closed mid-request has gone: nothing to answer, and nothing wrong on our side.
  if (err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_EOF_STATE' || socket.destroyed) {
    this.log.debug({ err: { code: err.code } }, 'client closed the connection mid-request');
    socket.destroy();
    return;
  }
  const code = codeFor(err);
  const requestId = randomUUID();
  this.log.info({ reqId: requestId, err: { code: err.code } }, `client error: ${code}`);
  // As node does itself: answer only when no response of this socket has started, or the peer would read garbage.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify({ code, message: HTTP_ERRORS[code].message, requestId });
    const status = HTTP_ERRORS[code].status;
    socket.write(`HTTP/1.1 ${status} ${REASONS[code]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
