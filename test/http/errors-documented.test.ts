// docs/errors.md lists every code the service can answer or report, and every error answer keeps one shape.
import type { InjectOptions } from 'fastify';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_REJECTION_REASONS } from '../../src/auth/token-rejection.ts';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { NOTICE_CODES, TURN_ERROR_CODES } from '../../src/core/outputs.ts';
import { HTTP_ERROR_CODES, HTTP_ERRORS, HttpError, type HttpErrorCode } from '../../src/http/error-catalogue.ts';
import { auth, buildTestApp, type TestApp } from './helpers.ts';

const doc = readFileSync('docs/errors.md', 'utf8');
/** The markdown section under a `## heading`, up to the next one. */
const section = (heading: string) => {
  const start = doc.indexOf(`## ${heading}\n`);
  expect(start, `docs/errors.md has a "## ${heading}" section`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
};

describe('docs/errors.md', () => {
  it.each(HTTP_ERROR_CODES)('documents the HTTP error `%s` with its status', (code) => {
    const row = section('HTTP errors')
      .split('\n')
      .find((l) => l.startsWith(`| \`${code}\` |`));
    expect(row, `a table row for ${code}`).toBeDefined();
    expect(row!.split('|')[2]!.trim()).toBe(String(HTTP_ERRORS[code].status));
  });

  it.each([...ERROR_CODES])('documents the rules/configuration error `%s`', (code) => {
    expect(section('Rules and configuration errors')).toContain(`| \`${code}\` |`);
  });

  it.each([...NOTICE_CODES, ...TURN_ERROR_CODES])('documents the turn output `%s` as part of a 200 answer', (code) => {
    expect(section('Notices and turn errors')).toContain(`| \`${code}\` |`);
  });

  it.each([...TOKEN_REJECTION_REASONS, 'jwt_not_configured'])('documents the token rejection reason `%s`', (reason) => {
    expect(section('Token rejection reasons')).toContain(`| \`${reason}\` |`);
  });

  it('says that notices and turn errors are not HTTP errors', () => {
    expect(section('Notices and turn errors')).toMatch(/not HTTP errors/i);
    expect(section('Notices and turn errors')).toMatch(/200 answer/);
  });
});

describe('error answers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    // Test-only routes on a built (not yet ready) instance: one per catalogue code, and one that crashes.
    t.app.get<{ Params: { code: string } }>('/test/http-error/:code', async (request) => {
      throw new HttpError(request.params.code as HttpErrorCode);
    });
    t.app.get('/test/crash', async () => {
      const err = new Error('SELECT * FROM conversations failed: SQLITE_CORRUPT at /srv/threadgate/data/threadgate.db');
      (err as Error & { statusCode?: number }).statusCode = 500;
      throw err;
    });
    t.app.get('/test/type-error', async () => {
      // A plain TypeError, as jose throws for a key of the wrong type.
      return (undefined as unknown as { secret: { length: number } }).secret.length;
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(HTTP_ERROR_CODES)('an HttpError %s answers its status with { code, message, requestId } only', async (code) => {
    const r = await t.app.inject({ url: `/test/http-error/${code}` });
    expect(r.statusCode).toBe(HTTP_ERRORS[code].status);
    const body = r.json();
    expect(Object.keys(body).sort()).toEqual(['code', 'message', 'requestId']);
    expect(body).toMatchObject({ code, message: HTTP_ERRORS[code].message });
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a crash answers 500 { code: internal } without the error message, stack or fastify fields', async () => {
    for (const url of ['/test/crash', '/test/type-error']) {
      const r = await t.app.inject({ url });
      expect(r.statusCode).toBe(500);
      const body = r.json();
      expect(Object.keys(body).sort()).toEqual(['code', 'message', 'requestId']);
      expect(body.code).toBe('internal');
      expect(body.message).toBe(HTTP_ERRORS.internal.message);
      expect(r.body).not.toMatch(/SQLITE|SELECT|\/srv\/|stack|TypeError|undefined|statusCode/);
    }
  });

  it('real failures keep the shape: 401, 403, 404, 400 body, 400 idempotency key, 400 bad URL, 413, 415', async () => {
    const big = JSON.stringify({ widgetId: 'shop-visitor', context: { blob: 'x'.repeat(70 * 1024) } });
    const cases: { code: string; status: number; req: InjectOptions & { url: string } }[] = [
      { code: 'unauthorized', status: 401, req: { method: 'POST', url: '/v1/conversations', payload: { widgetId: 'shop-visitor' } } },
      { code: 'forbidden', status: 403, req: { method: 'POST', url: '/v1/conversations', headers: auth('identity'), payload: { widgetId: 'shop-visitor' } } },
      { code: 'not_found', status: 404, req: { url: '/v1/nothing-here' } },
      { code: 'conversation_not_found', status: 404, req: { url: '/v1/conversations/nope', headers: auth('runtime') } },
      { code: 'body_invalid', status: 400, req: { method: 'POST', url: '/v1/conversations', headers: { ...auth('runtime'), 'content-type': 'application/json' }, payload: '{"widgetId":' } },
      {
        code: 'idempotency_key_invalid',
        status: 400,
        req: { method: 'POST', url: '/v1/conversations', headers: { ...auth('runtime'), 'idempotency-key': 'has spaces in it' }, payload: { widgetId: 'shop-visitor' } },
      },
      { code: 'validation_failed', status: 400, req: { url: '/v1/conversations/%E0%A4%A', headers: auth('runtime') } },
      { code: 'payload_too_large', status: 413, req: { method: 'POST', url: '/v1/conversations', headers: { ...auth('runtime'), 'content-type': 'application/json' }, payload: big } },
      { code: 'unsupported_media_type', status: 415, req: { method: 'POST', url: '/v1/conversations', headers: { ...auth('runtime'), 'content-type': 'application/xml' }, payload: '<a/>' } },
    ];
    for (const c of cases) {
      const r = await t.app.inject(c.req);
      const body = r.json();
      expect({ url: c.req.url, status: r.statusCode, code: body.code }).toEqual({ url: c.req.url, status: c.status, code: c.code });
      const keys = Object.keys(body).filter((k) => k !== 'issues');
      expect(keys.sort(), c.code).toEqual(['code', 'message', 'requestId']);
      expect(body).not.toHaveProperty('statusCode');
      expect(body).not.toHaveProperty('error');
    }
  });
});
