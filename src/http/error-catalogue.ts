// The one catalogue of HTTP errors: every stable code with its status and a message that says what to fix.

export const HTTP_ERRORS = {
  validation_failed: { status: 400, message: 'The request does not match the schema; see `issues` for each field.' },
  body_invalid: { status: 400, message: 'The body is not valid JSON, or not the content type application/json.' },
  unauthorized: { status: 401, message: 'Send an API key as `Authorization: Bearer <key>`.' },
  forbidden: { status: 403, message: "This API key's role may not call this route." },
  not_found: { status: 404, message: 'No such route.' },
  conversation_not_found: { status: 404, message: 'No conversation with this id.' },
  widget_not_found: { status: 404, message: 'No widget with this id; list widgets with GET /v1/widgets.' },
  thread_not_found: { status: 404, message: 'No thread with this id (or no published version of it).' },
  thread_version_not_found: { status: 404, message: 'No such version of this thread; list versions with GET /v1/threads/:id/versions.' },
  draft_not_found: { status: 404, message: 'This thread has no draft to publish; PUT /v1/threads/:id/draft first.' },
  profile_not_found: { status: 404, message: 'No profile with this id.' },
  conversation_party_cleared: {
    status: 403,
    message: 'The customer of this conversation logged out (clear_user); the timeline of an earlier party is not shown to the new one. Pass ?party=current or read as admin.',
  },
  version_conflict: { status: 409, message: 'Another turn changed this conversation at the same time; send the turn again (with the same Idempotency-Key).' },
  conversation_busy: {
    status: 503,
    message: 'Earlier turns on this conversation kept it busy for the whole turn wait (THREADGATE_TURN_WAIT_MS); nothing was applied. Send the turn again after Retry-After, with the same Idempotency-Key.',
  },
  idempotency_key_reused: { status: 422, message: 'This Idempotency-Key was already used for a different request; use a new key for a new request.' },
  idempotency_key_invalid: { status: 400, message: 'Idempotency-Key must be 1-200 printable ASCII characters.' },
  identity_required: { status: 422, message: "This widget's onboarding type is `code`: start the conversation with `user` (setUser) or a `token`." },
  rules_invalid: { status: 422, message: 'The thread or widget file has problems; see `issues` (file, line, step, field, code).' },
  rules_id_mismatch: { status: 422, message: 'The id inside the file differs from the id in the URL; make them equal (see `issues` for the line).' },
  widget_thread_unknown: { status: 422, message: 'The widget runs a thread that has no published version; publish the thread first.' },
  state_invalid: {
    status: 409,
    message: 'The stored state of this conversation is not valid (changed outside threadgate, or written by a newer version); it cannot be read or continued. Start a new conversation.',
  },
  transcript_invalid: { status: 422, message: 'The file is not a valid transcript; see `issues` (line, field) and docs/transcripts.md.' },
  transcript_exists: { status: 409, message: 'A transcript of this name exists already; pass ?replace=true to replace it.' },
  transcripts_not_configured: { status: 404, message: 'This server has no transcripts folder; set THREADGATE_TRANSCRIPTS_DIR to save transcripts.' },
  transcripts_unwritable: { status: 503, message: 'The transcripts folder cannot be written (read-only, full or missing); the operator must fix the folder.' },
  profile_key_taken: { status: 409, message: 'An email, phone or external id of this profile belongs to another profile.' },
  identity_value_invalid: { status: 422, message: 'The identity is not a valid email or E.164 phone number.' },
  payload_too_large: { status: 413, message: 'The body is larger than this route accepts.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  rate_limited: { status: 429, message: 'Too many requests for this API key or client address; wait for the time in Retry-After.' },
  internal: { status: 500, message: 'Something went wrong on our side; the request id helps us find it.' },
  request_timeout: { status: 408, message: 'The request was not received in time (THREADGATE_REQUEST_TIMEOUT_MS); send the whole request at once.' },
  headers_too_large: { status: 431, message: 'The request headers are larger than the server accepts (16 KiB).' },
  http_invalid: { status: 400, message: 'The request is not valid HTTP/1.1.' },
  store_unavailable: { status: 503, message: 'The database cannot serve this request now (disk full, connection lost or a damaged file); nothing was applied. Retry after Retry-After seconds.' },
  not_ready: { status: 503, message: 'The service cannot commit a turn: its database does not answer, or its last writes failed.' },
  shutting_down: { status: 503, message: 'The service is shutting down; retry on another instance.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;
export const HTTP_ERROR_CODES = Object.keys(HTTP_ERRORS) as HttpErrorCode[];

/** An error that becomes a JSON answer `{ code, message, ...details }` with the catalogue's status. */
export class HttpError extends Error {
  readonly code: HttpErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(code: HttpErrorCode, message?: string, details: Record<string, unknown> = {}) {
    super(message ?? HTTP_ERRORS[code].message);
    this.name = 'HttpError';
    this.code = code;
    this.status = HTTP_ERRORS[code].status;
    this.details = details;
  }
}
