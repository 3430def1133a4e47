// Maps every failure to the error catalogue: stable code, status, a message that says what to fix, no internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isThreadgateError } from '../core/errors.ts';
import { StoreError } from '../store/store-error.ts';
import { refuseUnauthenticated, type Authenticator } from './auth-hook.ts';
import { principalOf } from './bearer.ts';
import { HTTP_ERRORS, HttpError, type HttpErrorCode } from './error-catalogue.ts';
import { storeFailure } from './store-failure.ts';

const FASTIFY_CODES: Record<string, HttpErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'body_invalid',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'body_invalid',
  FST_ERR_CTP_INVALID_JSON_BODY: 'body_invalid',
};

const sendHttpError = (reply: FastifyReply, request: FastifyRequest, err: HttpError): FastifyReply =>
  reply.status(err.status).send({ code: err.code, message: err.message, ...err.details, requestId: request.id });

/**
 * Fastify's `frameworkErrors` option: errors raised before routing (a URL that is not valid percent-encoding)
 * skip setErrorHandler and every hook, and fastify's own answer would carry its internal code. They get our shape
 * instead, and authentication comes first as everywhere: every /v1 route needs a key.
 */
export function frameworkErrorHandler(auth: Authenticator) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    if (request.url.startsWith('/v1/') && !principalOf(request, auth.keyring)) {
      reply.header('cache-control', 'no-store');
      void sendHttpError(reply, request, refuseUnauthenticated(request, reply, auth));
      return;
    }
    answerFrameworkError(err, request, reply);
  };
}

function answerFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // A path parameter over fastify's maxParamLength (100) cannot name anything (ids are at most 64 characters).
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.status(404).send({ code: 'not_found', message: `No route ${request.method} with a path parameter this long; ids are at most 64 characters.`, requestId: request.id });
    return;
  }
  if (err.code !== 'FST_ERR_BAD_URL') {
    request.log.error({ err: { type: err.name, code: err.code } }, 'framework error');
    void reply.status(500).send({ code: 'internal', message: HTTP_ERRORS.internal.message, requestId: request.id });
    return;
  }
  void reply.status(400).send({ code: 'validation_failed', message: 'The URL is not valid: percent-encoding must form UTF-8.', issues: [{ field: 'url', message: 'invalid percent-encoding' }], requestId: request.id });
}

/** Errors that only say the client went away while sending. */
const CLIENT_GONE = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError | Error, request, reply) => {
    if (err instanceof HttpError) return sendHttpError(reply, request, err);
    if (hasZodFastifySchemaValidationErrors(err)) {
      // A bad Idempotency-Key header has its own catalogue code, so clients can tell it from a bad body.
      if (err.validationContext === 'headers' && err.validation.every((v) => v.instancePath === '/idempotency-key')) {
        return reply.status(400).send({ code: 'idempotency_key_invalid', message: HTTP_ERRORS.idempotency_key_invalid.message, requestId: request.id });
      }
      const issues = err.validation.map((v) => ({ field: [err.validationContext, ...(v.instancePath ? v.instancePath.split('/').filter(Boolean) : [])].join('.'), message: v.message }));
      return reply.status(400).send({ code: 'validation_failed', message: `Invalid request: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues, requestId: request.id });
    }
    if (err instanceof StoreError && err.code === 'state_invalid') {
      // Known and not the caller's fault, so not a 500; what is wrong in the row goes to the log only.
      request.log.error({ err: { type: err.name, code: err.code, message: err.message } }, 'stored conversation state is invalid');
      return reply.status(HTTP_ERRORS.state_invalid.status).send({ code: 'state_invalid', message: HTTP_ERRORS.state_invalid.message, requestId: request.id });
    }
    if (isThreadgateError(err)) {
      return reply.status(422).send({ code: 'rules_invalid', message: err.message, issues: err.issues, requestId: request.id });
    }
    const fastifyCode = (err as FastifyError).code;
    const mapped = fastifyCode ? FASTIFY_CODES[fastifyCode] : undefined;
    if (mapped) return reply.status(HTTP_ERRORS[mapped].status).send({ code: mapped, message: HTTP_ERRORS[mapped].message, requestId: request.id });
    if ((err as FastifyError).statusCode === 429) return reply.status(429).send({ code: 'rate_limited', message: HTTP_ERRORS.rate_limited.message, requestId: request.id });
    if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500 && (err as SyntaxError).name === 'SyntaxError') {
      return reply.status(400).send({ code: 'body_invalid', message: HTTP_ERRORS.body_invalid.message, requestId: request.id });
    }
    // Only when this client's own socket went away: a database connection reset has the same code.
    if (fastifyCode && CLIENT_GONE.has(fastifyCode) && (request.raw.aborted || request.raw.socket?.destroyed)) {
      // The client hung up mid-upload: its business, not a fault of ours, and nobody reads the answer.
      request.log.info({ code: fastifyCode }, 'client closed the connection before the body arrived');
      return reply.status(400).send({ code: 'body_invalid', message: 'The connection closed before the whole body arrived.', requestId: request.id });
    }
    const store = storeFailure(err);
    if (store) {
      // The database cannot serve now (disk full, connection lost, damaged file): the operator's to fix, not a bug.
      request.log.error({ err: { type: err.name, code: fastifyCode }, store: store.reason }, 'store unavailable');
      request.server.metrics?.storeFailures.inc({ reason: store.reason });
      request.server.storeHealth?.failed(store.reason);
      return reply.status(503).header('retry-after', String(store.retryAfter)).send({ code: 'store_unavailable', message: HTTP_ERRORS.store_unavailable.message, requestId: request.id });
    }
    request.log.error({ err: { type: err.name, code: fastifyCode } }, 'unhandled error');
    return reply.status(500).send({ code: 'internal', message: HTTP_ERRORS.internal.message, requestId: request.id });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.`, requestId: request.id }));
}
