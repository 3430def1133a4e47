// Hostile and odd inputs over HTTP (issue #17): each gets its status and stable code, no internals leak, the server stays up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, KEYS, type TestApp } from '../http/helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.close();
});

const json = { ...auth('runtime'), 'content-type': 'application/json' };
const start = (payload: string, headers: Record<string, string> = json) => t.app.inject({ method: 'POST', url: '/v1/conversations', headers, payload });
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** Nothing of the implementation in an answer: no stack, no engine error names. */
const clean = (body: string) => expect(body).not.toMatch(/stack|RangeError|Maximum call stack|SyntaxError|at \w+ \(|node_modules/);

describe('JSON bodies', () => {
  it('a context nested 1,000 deep is a 400 naming the depth limit; 30,000 deep (60 KB of brackets) too, and the server stays up', async () => {
    const deepArrays = `{"widgetId":"shop-visitor","context":{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}}`;
    for (const payload of [`{"widgetId":"shop-visitor","context":${nested(1_000)}}`, deepArrays]) {
      const r = await start(payload);
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'validation_failed', issues: [{ message: 'the body is nested deeper than 64 levels' }] });
      clean(r.body);
    }
    const ok = await start(JSON.stringify({ widgetId: 'shop-visitor', context: JSON.parse(nested(20)) }));
    expect(ok.statusCode).toBe(201);
  });

  it('a __proto__ key is refused by name, not as invalid JSON', async () => {
    const r = await start('{"widgetId":"shop-visitor","context":{"__proto__":{"admin":true}}}');
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'validation_failed', issues: [{ field: 'body.context.__proto__', message: 'a key named __proto__ is not accepted' }] });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    const c = await start('{"widgetId":"shop-visitor","context":{"constructor":{"prototype":{"x":1}}}}');
    expect(c.json()).toMatchObject({ code: 'validation_failed', issues: [{ field: 'body.context.constructor.prototype' }] });
  });

  it('every string is held to one rule: no NUL, no lone surrogate, in any field, key or event', async () => {
    const cases: [string, string][] = [
      ['{"widgetId":"shop-visitor","user":{"name":"A\\u0000B"}}', 'body.user.name'],
      ['{"widgetId":"shop-visitor","user":{"name":"A\\ud800B"}}', 'body.user.name'],
      ['{"widgetId":"shop-visitor","context":{"page":"\\udc00"}}', 'body.context.page'],
      ['{"widgetId":"shop-visitor","context":{"a\\u0000":1}}', 'body.context."a\\u0000"'],
    ];
    for (const [payload, field] of cases) {
      const r = await start(payload);
      expect(r.statusCode, payload).toBe(400);
      expect(r.json()).toMatchObject({ code: 'validation_failed', issues: [{ field }] });
    }
    // A well-formed pair (an emoji) is text like any other.
    expect((await start('{"widgetId":"shop-visitor","user":{"name":"Julie \\ud83d\\ude00"}}')).statusCode).toBe(201);
  });

  it('broken JSON is body_invalid and says why; JSON sent as text/plain is 415', async () => {
    const broken = await start('{"widgetId": ');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('body_invalid');
    expect(broken.json().message).toMatch(/^The body is not valid JSON: /);
    const plain = await start(JSON.stringify({ widgetId: 'shop-visitor' }), { ...auth('runtime'), 'content-type': 'text/plain' });
    expect(plain.statusCode).toBe(415);
    expect(plain.json().code).toBe('unsupported_media_type');
    // Rules routes still take their files as text.
    const text = await t.app.inject({ method: 'POST', url: '/v1/threads/returns/validate', headers: { ...auth('admin'), 'content-type': 'text/plain' }, payload: 'kind: thread\nid: returns\n' });
    expect(text.statusCode).not.toBe(415);
  });
});

describe('access', () => {
  const long = 'x'.repeat(101);
  it('a path parameter over 100 characters is 401 without a key and 404 with one', async () => {
    for (const url of [`/v1/conversations/${long}`, `/v1/widgets/${long}`]) {
      const anon = await t.app.inject({ url });
      expect(anon.statusCode, url).toBe(401);
      expect(anon.headers['www-authenticate']).toBe('Bearer realm="threadgate"');
      const keyed = await t.app.inject({ url, headers: auth('admin') });
      expect(keyed.statusCode, url).toBe(404);
      expect(keyed.json().code).toBe('not_found');
    }
  });

  it('401s carry WWW-Authenticate (invalid_token when a key was refused); the scheme is case-insensitive', async () => {
    const none = await t.app.inject({ url: '/v1/widgets' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="threadgate"');
    const wrong = await t.app.inject({ url: '/v1/widgets', headers: { authorization: 'Bearer tg_admin_not_a_key_0000000000000000000000' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="threadgate", error="invalid_token"');
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      expect((await t.app.inject({ url: '/v1/widgets', headers: { authorization: `${scheme} ${KEYS.admin}` } })).statusCode, scheme).toBe(200);
    }
  });

  it('answers for a key are not cacheable; public ones keep their own caching', async () => {
    const r = await t.app.inject({ url: '/v1/widgets', headers: auth('admin') });
    expect(r.headers['cache-control']).toBe('no-store');
    const refused = await t.app.inject({ url: '/v1/widgets', headers: auth('runtime') });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['cache-control']).toBe('no-store');
    const health = await t.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
  });
});

describe('YAML rules files', () => {
  const send = (payload: string, url = '/v1/threads/returns/validate') => t.app.inject({ method: 'POST', url, headers: { ...auth('admin'), 'content-type': 'application/yaml' }, payload });
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');

  it('nesting too deep for the parser, or merely deeper than 64 levels, is 422 yaml_invalid in plain words', async () => {
    const flow = `kind: thread\nid: returns\nx: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`;
    const block = `kind: thread\nid: returns\nx:\n${Array.from({ length: 80 }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')}1\n`;
    for (const payload of [flow, block]) {
      const r = await send(payload);
      expect(r.statusCode).toBe(422);
      expect(r.json().issues[0]).toMatchObject({ code: 'yaml_invalid', message: 'the file nests deeper than 64 levels; rules files need only a few' });
      clean(r.body);
    }
  });

  it('an alias bomb is 422 yaml_invalid on validate, draft and evaluate, never a 500', async () => {
    for (const [url, method] of [['/v1/threads/returns/validate', 'POST'], ['/v1/threads/returns/draft', 'PUT']] as const) {
      const r = await t.app.inject({ method, url, headers: { ...auth('admin'), 'content-type': 'application/yaml' }, payload: `kind: thread\nid: returns\n${bomb}\n` });
      expect(r.statusCode, url).toBe(422);
      expect(r.json().issues[0].code).toBe('yaml_invalid');
      clean(r.body);
    }
    const ev = await t.app.inject({ method: 'POST', url: '/v1/evaluate', headers: auth('admin'), payload: { thread: `kind: thread\nid: returns\n${bomb}\n`, widget: 'kind: widget', event: { type: 'start' } } });
    expect(ev.statusCode).toBe(422);
    clean(ev.body);
  });
});

describe('reading a conversation', () => {
  it('party=all with a runtime key is 403 forbidden saying it needs an admin key, logout or not', async () => {
    const s = await start(JSON.stringify({ widgetId: 'shop-visitor' }));
    const id = s.json().conversationId as string;
    const r = await t.app.inject({ url: `/v1/conversations/${id}?party=all`, headers: auth('runtime') });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'forbidden' });
    expect(r.json().message).toMatch(/needs an admin key/);
    expect(r.json().message).not.toMatch(/logged out/);
    expect((await t.app.inject({ url: `/v1/conversations/${id}?party=all`, headers: auth('admin') })).statusCode).toBe(200);
  });
});

describe('a code widget refusing to start', () => {
  it("names the token's rejection reason in a field, not only in the message", async () => {
    const refused = await start(JSON.stringify({ widgetId: 'shop-portal', token: 'not-a-jwt' }));
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'identity_required', tokenRejection: 'malformed' });
    const none = await start(JSON.stringify({ widgetId: 'shop-portal' }));
    expect(none.json()).toMatchObject({ code: 'identity_required', tokenRejection: null });
  });
});
