// createClient: one typed method per operationId, with auth, timeouts, Idempotency-Keys and bounded resends of starts and turns.
import type { OperationId, Operations } from './operations.ts';
import type { Result } from './result.ts';
import { backoffMs, DEFAULT_RETRY, RESEND_CODES, sleep, type RetryPolicy } from './retry.ts';
import { fillPath, queryString, ROUTES } from './routes.ts';
import { attempt } from './transport.ts';

export interface ClientOptions {
  /** Where the service answers, e.g. `https://threadgate.example.com`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** A default bound for every call, in ms, resends and waits included; none by default. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Injected by tests; the global fetch by default. */
  fetch?: typeof fetch;
  /** Waits between resends; injected by tests so they never wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  newIdempotencyKey?: () => string;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Start and turn only: the key to send; a fresh UUID otherwise. Reuse it to resend a call you gave up on. */
  idempotencyKey?: string;
}

type Fields<K extends string, V> = undefined extends V ? { [P in K]?: V } : { [P in K]: V };
/** What one method takes: the path parameters at the top level, then `query`, `body` and the call options. */
export type Input<O extends OperationId> = Operations[O]['params'] &
  (Operations[O]['query'] extends undefined ? {} : { query?: Operations[O]['query'] }) &
  (Operations[O]['body'] extends undefined ? {} : Fields<'body', Operations[O]['body']>) &
  CallOptions;

export type Client = {
  [O in OperationId]: {} extends Input<O> ? (input?: Input<O>) => Promise<Result<Operations[O]['answer']>> : (input: Input<O>) => Promise<Result<Operations[O]['answer']>>;
};


export function createClient(options: ClientOptions): Client {
  const base = options.baseUrl.replace(/\/+$/, '');
  const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  const newKey = options.newIdempotencyKey ?? (() => globalThis.crypto.randomUUID());

  async function call(id: OperationId, input: Record<string, unknown> = {}): Promise<Result<unknown>> {
    const route = ROUTES[id];
    const { query, body, signal, timeoutMs = options.timeoutMs, idempotencyKey } = input as { query?: Record<string, unknown>; body?: unknown } & CallOptions;
    const url = base + fillPath(route.path, input) + queryString(query);
    const headers: Record<string, string> = { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' };
    let payload: string | undefined;
    // Rules files and transcripts go as the YAML text they are (issues then carry lines); everything else as JSON.
    if (typeof body === 'string') {
      headers['content-type'] = 'application/yaml';
      payload = body;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const key = route.resend ? (idempotencyKey ?? newKey()) : undefined;
    if (key !== undefined) headers['idempotency-key'] = key;

    const timeout = timeoutMs !== undefined ? AbortSignal.timeout(timeoutMs) : undefined;
    const signals = [signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const combined = signals.length === 0 ? new AbortController().signal : signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
    const timedOut = () => timeout?.aborted === true && !signal?.aborted;

    const withKey = (r: Result<unknown>): Result<unknown> => (key !== undefined ? { ...r, idempotencyKey: key } : r);
    for (let n = 1; ; n++) {
      const result = await attempt<unknown>(fetcher, { url, method: route.method, headers, ...(payload !== undefined ? { body: payload } : {}), answer: route.answer ?? 'json', signal: combined, timedOut, attempt: n });
      // Only a call with a key is resent: the service then applies it at most once, whatever reached it before.
      if (result.ok || key === undefined || !RESEND_CODES.has(result.error.code) || n > policy.retries) return withKey(result);
      await wait(backoffMs(policy, n, random), combined);
      if (combined.aborted) {
        const timeoutHit = timedOut();
        return withKey({ ok: false, status: 0, error: { code: timeoutHit ? 'timeout' : 'aborted', message: timeoutHit ? 'No answer within the timeout.' : 'The caller aborted the call.', attempts: n } });
      }
    }
  }

  const client = {} as Record<OperationId, (input?: Record<string, unknown>) => Promise<Result<unknown>>>;
  for (const id of Object.keys(ROUTES) as OperationId[]) client[id] = (input) => call(id, input);
  return client as unknown as Client;
}
