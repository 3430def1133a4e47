// threadgate/client: a typed client of the threadgate HTTP API over the global fetch (Node 20, browsers), with no run-time dependencies.
export { createClient, type CallOptions, type Client, type ClientOptions, type Input } from './client.ts';
export type { Answer, Conversation, OperationId, Operations, StartRequest, TimelinePage, TurnAnswer, TurnEvent } from './operations.ts';
export type * from './answers.ts';
export { CLIENT_ERROR_CODES, isClientError, type CallError, type ClientError, type ClientErrorCode, type ErrorCode, type Failure, type Result, type ServiceError, type Success } from './result.ts';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
