// What every client call answers: a typed result, never an exception, with the service's stable error codes.
import type { HttpErrorCode } from '../http/error-catalogue.ts';
import type { ErrorBody } from '../http/schemas/error-body.ts';

/** Codes the client itself gives when no usable answer arrived: they never come from the service. */
export const CLIENT_ERROR_CODES = ['network_error', 'timeout', 'aborted', 'invalid_answer'] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/** Every code an error result may carry: the service's catalogue (docs/errors.md) plus the client's own. */
export type ErrorCode = HttpErrorCode | ClientErrorCode;

/** The service's error answer as sent (`{ code, message, requestId, … }`), plus how many attempts the call made. */
export type ServiceError = ErrorBody & { code: HttpErrorCode; attempts: number };

/** A failure on this side: the network, the caller's timeout or signal, or an answer that is not what the route answers. */
export interface ClientError {
  code: ClientErrorCode;
  message: string;
  /** The underlying error's message (e.g. `ECONNRESET`), when there was one. */
  cause?: string;
  attempts: number;
}

export type CallError = ServiceError | ClientError;

export interface Success<T> {
  ok: true;
  status: number;
  value: T;
  /** The Idempotency-Key sent, on routes that honour one (start and turn). */
  idempotencyKey?: string;
  /** True when the service answered from its idempotency record: the request had been applied before. */
  replayed: boolean;
  attempts: number;
}

export interface Failure {
  ok: false;
  /** The HTTP status, or 0 when no answer arrived. */
  status: number;
  error: CallError;
  /** The Idempotency-Key sent: resend with it later and the service still applies the request at most once. */
  idempotencyKey?: string;
}

export type Result<T> = Success<T> | Failure;

/** True when the error came from this client rather than from the service. */
export const isClientError = (error: CallError): error is ClientError => (CLIENT_ERROR_CODES as readonly string[]).includes(error.code);
