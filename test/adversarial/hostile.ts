// Shared checks of the adversarial suites: a clean error answer (stable code, no internals), and data left as it was.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { HTTP_ERROR_CODES } from '../../src/http/error-catalogue.ts';
import { auth, startConversation, type TestApp } from '../http/helpers.ts';

/** Text that must never reach a client: stacks, engine and driver errors, fastify's internal codes, file paths. */
export const INTERNAL_TEXT = [/Maximum call stack/i, /RangeError|TypeError|ReferenceError|SyntaxError/, /\bat .+:\d+:\d+/, /SQLITE_|sqlite3?\b/i, /FST_[A-Z_]+/, /node_modules|\/src\//, /statusCode/, /Excessive alias/];

/** Asserts an error answer: the expected status, a catalogue code, our shape, and nothing internal in it. */
export function expectRefused(r: LightMyRequestResponse, status: number, code?: string): Record<string, unknown> {
  expect(r.statusCode, r.body).toBe(status);
  const body = r.json() as Record<string, unknown>;
  expect(HTTP_ERROR_CODES as string[]).toContain(body.code);
  if (code) expect(body.code, r.body).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(typeof body.requestId).toBe('string');
  for (const pattern of INTERNAL_TEXT) expect(r.body, `internal text ${pattern} in ${r.body.slice(0, 300)}`).not.toMatch(pattern);
  return body;
}

/** What a hostile request must leave alone: a conversation's version and timeline, and the number of conversations. */
export interface Witness {
  /** `sameList: false` when the suite itself started conversations meanwhile (the witness must still be as it was). */
  check: (opts?: { sameList?: boolean }) => Promise<void>;
}

/** Starts a conversation with one message; `check` asserts it (and the conversation count) is still exactly so, and that the app answers. */
export async function witness(t: TestApp): Promise<Witness> {
  const id = await startConversation(t, { widgetId: 'shop-visitor', user: { name: 'Julie' } });
  const turn = await t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: { type: 'message', text: 'hello' } });
  expect(turn.statusCode).toBe(200);
  const read = async () => (await t.app.inject({ url: `/v1/conversations/${id}?party=all`, headers: auth('admin') })).json() as { version: number; timeline: unknown[] };
  // Every conversation of the suite, newest first: a hostile request must neither add one nor change one.
  const count = async () => (await t.app.inject({ url: '/v1/conversations?limit=100', headers: auth('admin') })).json().conversations as unknown[];
  const before = { conversation: await read(), count: await count() };
  return {
    check: async ({ sameList = true } = {}) => {
      expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect(await read()).toEqual(before.conversation);
      if (sameList) expect(await count()).toEqual(before.count);
    },
  };
}
