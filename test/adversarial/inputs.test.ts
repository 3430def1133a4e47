// Hostile inputs over HTTP: each gets its status and stable code, no internal text, the server stays up and nothing changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, KEYS, startConversation, type TestApp } from '../http/helpers.ts';
import { expectRefused, witness, type Witness } from './hostile.ts';

let t: TestApp;
let w: Witness;
let conversation: string;
beforeAll(async () => {
  t = await buildTestApp({ rateLimitPerMinute: 1_000_000 });
  // Hostile turns go to their own conversation; the witness (started after it) must stay exactly as it was.
  conversation = await startConversation(t, { widgetId: 'shop-visitor' });
  w = await witness(t);
});
afterAll(async () => {
  await w.check();
  await t.close();
});

const json = (role: keyof typeof KEYS) => ({ ...auth(role), 'content-type': 'application/json' });
const yaml = { ...auth('admin'), 'content-type': 'application/yaml' };
const nested = (depth: number, leaf = '1') => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;

describe('JSON bodies', () => {
  it.each([65, 1000, 5000, 50_000])('a context nested %i deep is 400 validation_failed naming the depth limit', async (depth) => {
    const payload = `{"widgetId":"shop-visitor","context":${nested(depth)}}`;
    if (payload.length > 64 * 1024) {
      expectRefused(await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: json('runtime'), payload }), 413, 'payload_too_large');
      return;
    }
    const body = expectRefused(await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: json('runtime'), payload }), 400, 'validation_failed');
    expect(body.message).toMatch(/nested deeper than 64 levels/);
    expect((body.issues as { field: string }[])[0]!.field).toMatch(/^body\.context\.a/);
    await w.check();
  });

  it('a context nested 63 deep (within the limit) starts a conversation', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: json('runtime'), payload: `{"widgetId":"shop-visitor","context":${nested(62)}}` });
    expect(r.statusCode, r.body).toBe(201);
    w = await witness(t);
  });

  it('deep arrays on evaluate and turns are refused the same way', async () => {
    const deepArray = `${'['.repeat(3000)}${']'.repeat(3000)}`;
    expectRefused(await t.app.inject({ method: 'POST', url: '/v1/evaluate', headers: json('admin'), payload: `{"thread":${deepArray},"widget":{},"event":{"type":"start"}}` }), 400, 'validation_failed');
    expectRefused(await t.app.inject({ method: 'POST', url: `/v1/conversations/${conversation}/turns`, headers: json('runtime'), payload: `{"type":"message","text":"x","entities":${nested(200)}}` }), 400, 'validation_failed');
    await w.check();
  });

  it.each([
    ['a top-level __proto__', '{"widgetId":"shop-visitor","__proto__":{"admin":true}}', 'body.__proto__'],
    ['a nested __proto__', '{"widgetId":"shop-visitor","context":{"page":{"__proto__":{"x":1}}}}', 'body.context.page.__proto__'],
    ['constructor.prototype', '{"widgetId":"shop-visitor","context":{"constructor":{"prototype":{"x":1}}}}', 'body.context.constructor.prototype'],
  ])('%s is refused as what it is, not as "not valid JSON"', async (_label, payload, field) => {
    const body = expectRefused(await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: json('runtime'), payload }), 400, 'validation_failed');
    expect(body.issues).toEqual([{ field, message: expect.stringMatching(/^a (key named __proto__|constructor\.prototype key) is not accepted$/) }]);
    expect(body.message).not.toMatch(/not valid JSON/);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    await w.check();
  });

  it('JSON sent as text/plain is 415, like any other unparsed type; an empty JSON body is 400 body_invalid', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      expectRefused(await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: { ...auth('runtime'), 'content-type': type }, payload: '{"widgetId":"shop-visitor"}' }), 415, 'unsupported_media_type');
    }
    expectRefused(await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: json('runtime'), payload: '' }), 400, 'body_invalid');
    expectRefused(await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: json('runtime'), payload: '{"widgetId":' }), 400, 'body_invalid');
    await w.check();
  });
});

describe('one rule for every customer string: no NUL, no lone surrogate, only UTF-8', () => {
  const start = (payload: string) => t.app.inject({ method: 'POST', url: '/v1/conversations', headers: json('runtime'), payload });
  const turn = (payload: string) => t.app.inject({ method: 'POST', url: `/v1/conversations/${conversation}/turns`, headers: json('runtime'), payload });

  it.each([
    ['NUL in user.name', () => start('{"widgetId":"shop-visitor","user":{"name":"Ju\\u0000lie"}}'), 'body.user.name', /NUL/],
    ['NUL in a context value', () => start('{"widgetId":"shop-visitor","context":{"page":"a\\u0000"}}'), 'body.context.page', /NUL/],
    ['NUL in a context key', () => start('{"widgetId":"shop-visitor","context":{"pa\\u0000ge":"a"}}'), 'body.context."pa\\u0000ge"', /NUL/],
    ['NUL in message text', () => turn('{"type":"message","text":"a\\u0000b"}'), 'body.text', /NUL/],
    ['NUL in form fields', () => turn('{"type":"submit_form","fields":{"name":"\\u0000"}}'), 'body.fields.name', /NUL/],
    ['a lone high surrogate in user.name', () => start('{"widgetId":"shop-visitor","user":{"name":"Ju\\ud800lie"}}'), 'body.user.name', /surrogate/],
    ['a lone low surrogate in message text', () => turn('{"type":"message","text":"\\udc00"}'), 'body.text', /surrogate/],
    ['reversed surrogates in identify', () => turn('{"type":"identify","user":{"name":"\\udc00\\ud800"}}'), 'body.user.name', /surrogate/],
  ])('%s is 400 validation_failed naming the field', async (_label, send, field, message) => {
    const body = expectRefused(await send(), 400, 'validation_failed');
    expect(body.issues).toEqual([{ field, message: expect.stringMatching(message) }]);
    await w.check();
  });

  it('a valid surrogate pair (an emoji) is taken as is', async () => {
    const r = await turn('{"type":"message","text":"ok \\ud83d\\ude00"}');
    expect(r.statusCode, r.body).toBe(200);
    const timeline = (await t.app.inject({ url: `/v1/conversations/${conversation}`, headers: auth('runtime') })).json().timeline as { text: string }[];
    expect(timeline.map((e) => e.text)).toContain('ok 😀');
    w = await witness(t);
  });

  it('bytes that are not UTF-8 are refused, not turned into U+FFFD', async () => {
    const payload = Buffer.concat([Buffer.from('{"widgetId":"shop-visitor","user":{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
    const body = expectRefused(await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: json('runtime'), payload }), 400, 'validation_failed');
    expect(body.issues).toEqual([{ field: 'body', message: expect.stringMatching(/not valid UTF-8/) }]);
    const yamlBytes = Buffer.concat([Buffer.from('kind: thread\nid: returns\n# '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    expectRefused(await t.app.inject({ method: 'POST', url: '/v1/threads/returns/validate', headers: yaml, payload: yamlBytes }), 400, 'validation_failed');
    await w.check();
  });

  let draftBefore: string;
  beforeAll(async () => {
    draftBefore = (await t.app.inject({ url: '/v1/threads/returns/draft', headers: auth('admin') })).json().source;
  });

  it('NUL in a YAML body, a path parameter or a query string is refused the same way', async () => {
    const r = await t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: yaml, payload: 'kind: thread\nid: returns\u0000\n' });
    expect(expectRefused(r, 400, 'validation_failed').issues).toEqual([{ field: 'body', message: expect.stringMatching(/NUL/) }]);
    expect(expectRefused(await t.app.inject({ url: '/v1/conversations/a%00b', headers: auth('runtime') }), 400, 'validation_failed').issues).toEqual([
      { field: 'params.id', message: expect.stringMatching(/NUL/) },
    ]);
    expect(expectRefused(await t.app.inject({ url: '/v1/profiles?after=a%00b', headers: auth('admin') }), 400, 'validation_failed').issues).toEqual([
      { field: 'querystring.after', message: expect.stringMatching(/NUL/) },
    ]);
    expect((await t.app.inject({ url: '/v1/threads/returns/draft', headers: auth('admin') })).json().source).toBe(draftBefore);
    await w.check();
  });
});

describe('YAML rules files', () => {
  const bomb = [
    'kind: thread',
    'id: returns',
    'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    '',
  ].join('\n');
  const flow = (depth: number) => `kind: thread\nid: returns\nx: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
  const blockSeq = (depth: number) => `kind: thread\nid: returns\nx:\n  ${'- '.repeat(depth)}1\n`;
  const flowMaps = (depth: number) => `kind: thread\nid: returns\nx: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`;
  // An anchor 40 deep aliased inside a list 40 deep: each fits, together they nest 80.
  const deepAlias = `kind: thread\nid: returns\na: &a ${'['.repeat(40)}${']'.repeat(40)}\nb: ${'['.repeat(40)}*a${']'.repeat(40)}\n`;

  const routes = [
    ['validate', (text: string) => t.app.inject({ method: 'POST', url: '/v1/threads/returns/validate', headers: yaml, payload: text })],
    ['draft', (text: string) => t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: yaml, payload: text })],
    ['draft as JSON { source }', (text: string) => t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: json('admin'), payload: { source: text } })],
    ['widget', (text: string) => t.app.inject({ method: 'PUT', url: '/v1/widgets/shop-visitor', headers: yaml, payload: text.replace('kind: thread\nid: returns', 'kind: widget\nid: shop-visitor') })],
    ['evaluate', (text: string) => t.app.inject({ method: 'POST', url: '/v1/evaluate', headers: json('admin'), payload: { thread: text, widget: text, event: { type: 'start' } } })],
  ] as const;
  const inputs = [
    ['an alias bomb', bomb, /aliases expand too far/],
    ['a flow list 5,000 deep', flow(5000), /deeper than 64 levels/],
    ['a flow list 1,000 deep', flow(1000), /deeper than 64 levels/],
    ['a flow list 65 deep', flow(65), /deeper than 64 levels/],
    ['block lists 5,000 deep on one line', blockSeq(5000), /deeper than 64 levels/],
    ['flow maps 3,000 deep', flowMaps(3000), /deeper than 64 levels/],
    ['an alias that nests past the limit', deepAlias, /deeper than 64 levels/],
    ['an alias without its anchor', 'kind: thread\nid: returns\nx: *nowhere\n', /alias|anchor/i],
  ] as const;

  for (const [route, send] of routes) {
    it.each(inputs)(`${route}: %s is 422 rules_invalid with a plain yaml_invalid issue`, async (_label, text, message) => {
      const body = expectRefused(await send(text), 422, 'rules_invalid');
      const issues = body.issues as { code: string; message: string }[];
      expect(issues.map((i) => i.code)).toContain('yaml_invalid');
      expect(issues.find((i) => i.code === 'yaml_invalid')!.message).toMatch(message);
    });
  }

  let draftBefore: string;
  beforeAll(async () => {
    draftBefore = (await t.app.inject({ url: '/v1/threads/returns/draft', headers: auth('admin') })).json().source;
  });

  it('stored nothing and changed nothing', async () => {
    expect((await t.app.inject({ url: '/v1/threads/returns/draft', headers: auth('admin') })).json().source).toBe(draftBefore);
    expect((await t.app.inject({ url: '/v1/widgets/shop-visitor', headers: auth('admin') })).json().source).toContain('id: shop-visitor');
    await w.check();
  });
});

describe('queries', () => {
  it('the reports route takes date-only bounds', async () => {
    const r = await t.app.inject({ url: '/v1/reports/onboarding?from=2026-01-01&to=2026-02-01', headers: auth('admin') });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' });
  });
});
