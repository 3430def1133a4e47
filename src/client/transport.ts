// One HTTP attempt over the global fetch: a Result from whatever happens, the network and the caller's timeout included.
import type { CallError, Result } from './result.ts';

export interface Attempt {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  answer: 'json' | 'text' | 'none';
  signal: AbortSignal;
  /** Aborted by the call's timeout (rather than by the caller's own signal). */
  timedOut: () => boolean;
  attempt: number;
}

const clientError = (code: 'network_error' | 'timeout' | 'aborted' | 'invalid_answer', message: string, attempts: number, cause?: unknown): CallError => ({
  code,
  message,
  attempts,
  ...(cause instanceof Error ? { cause: (cause.cause instanceof Error ? cause.cause.message : '') || cause.message } : {}),
});

export async function attempt<T>(fetcher: typeof fetch, a: Attempt): Promise<Result<T>> {
  let response: Response;
  let text: string;
  try {
    response = await fetcher(a.url, { method: a.method, headers: a.headers, ...(a.body !== undefined ? { body: a.body } : {}), signal: a.signal });
    text = await response.text();
  } catch (err) {
    if (a.signal.aborted) {
      const timeout = a.timedOut();
      return { ok: false, status: 0, error: clientError(timeout ? 'timeout' : 'aborted', timeout ? 'No answer within the timeout.' : 'The caller aborted the call.', a.attempt) };
    }
    return { ok: false, status: 0, error: clientError('network_error', 'The request or its answer was lost on the network.', a.attempt, err) };
  }
  const status = response.status;
  const replayed = response.headers.get('idempotent-replay') === 'true';
  if (status >= 200 && status < 300) {
    if (a.answer === 'none') return { ok: true, status, value: undefined as T, replayed, attempts: a.attempt };
    if (a.answer === 'text') return { ok: true, status, value: text as T, replayed, attempts: a.attempt };
    const value = parseJson(text);
    if (value === undefined) return { ok: false, status, error: clientError('invalid_answer', `The ${status} answer is not JSON.`, a.attempt) };
    return { ok: true, status, value: value as T, replayed, attempts: a.attempt };
  }
  const body = parseJson(text);
  // Every error the service sends is `{ code, message }`; anything else came from something in between (a proxy, a gateway).
  if (!body || typeof body !== 'object' || typeof (body as { code?: unknown }).code !== 'string' || typeof (body as { message?: unknown }).message !== 'string') {
    return { ok: false, status, error: clientError('invalid_answer', `The ${status} answer is not an error of the service: ${text.slice(0, 200)}`, a.attempt) };
  }
  return { ok: false, status, error: { ...(body as object), attempts: a.attempt } as CallError };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
