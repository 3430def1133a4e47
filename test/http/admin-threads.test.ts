// Admin thread routes: drafts checked with line-precise issues, publishing, versions, and rollback for new conversations only.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auth, buildTestApp, T0, type TestApp } from './helpers.ts';

const RETURNS = readFileSync('rules/threads/returns.yaml', 'utf8');
const AGENT_V1 = 'Let me connect you with one of our agents.';
const AGENT_V2 = 'Version two here, an agent will be with you shortly.';
const RETURNS_V2 = RETURNS.replace(AGENT_V1, AGENT_V2);
/** A second thread that only ever exists as a draft in these tests. */
const FAQ = RETURNS.replace('id: returns', 'id: faq');
const yaml = { ...auth('admin'), 'content-type': 'application/yaml' };

/** The 1-based line of the first line of `text` that contains `needle`. */
const lineOf = (text: string, needle: string): number => {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" not in text`);
  return i + 1;
};

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.close();
});
const draftOf = async (id: string) => (await t.store.rules.getThreadDraft(id))?.source ?? null;

describe('authentication and roles', () => {
  const routes: { method: 'GET' | 'PUT' | 'POST'; url: string; payload?: unknown }[] = [
    { method: 'PUT', url: '/v1/threads/returns/draft', payload: { source: RETURNS } },
    { method: 'GET', url: '/v1/threads/returns/draft' },
    { method: 'POST', url: '/v1/threads/returns/validate', payload: { source: RETURNS } },
    { method: 'POST', url: '/v1/threads/returns/publish' },
    { method: 'GET', url: '/v1/threads' },
    { method: 'GET', url: '/v1/threads/returns/versions' },
    { method: 'GET', url: '/v1/threads/returns/versions/1' },
    { method: 'POST', url: '/v1/threads/returns/rollback', payload: { version: 1 } },
  ];

  it.each(routes)('$method $url answers 401 without a key and 403 with a runtime or identity key', async (r) => {
    const none = await t.app.inject({ method: r.method, url: r.url, ...(r.payload ? { payload: r.payload as object } : {}) });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('unauthorized');
    for (const role of ['runtime', 'identity'] as const) {
      const wrong = await t.app.inject({ method: r.method, url: r.url, headers: auth(role), ...(r.payload ? { payload: r.payload as object } : {}) });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json().code).toBe('forbidden');
    }
  });
});

describe('PUT /v1/threads/:id/draft', () => {
  it.each(['application/yaml', 'text/yaml', 'text/plain', 'application/yaml; charset=utf-8'])('stores a YAML body sent as %s, verbatim', async (type) => {
    const res = await t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: { ...auth('admin'), 'content-type': type }, payload: RETURNS_V2 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 'returns', updatedAt: new Date(T0).toISOString() });
    expect((await t.store.rules.getThreadDraft('returns'))?.source).toBe(RETURNS_V2);
  });

  it('stores a JSON body { source }, and GET draft reads it back', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: auth('admin'), payload: { source: RETURNS_V2 } });
    expect(put.statusCode).toBe(200);
    const get = await t.app.inject({ method: 'GET', url: '/v1/threads/returns/draft', headers: auth('admin') });
    expect(get.statusCode).toBe(200);
    expect(get.json()).toMatchObject({ id: 'returns', source: RETURNS_V2 });
    const none = await t.app.inject({ method: 'GET', url: '/v1/threads/faq/draft', headers: auth('admin') });
    expect(none.statusCode).toBe(404);
    expect(none.json().code).toBe('draft_not_found');
  });

  it('answers 422 rules_invalid with the line of a YAML syntax error, and stores nothing', async () => {
    const broken = RETURNS.replace('  greet_visitor:\n', '  greet_visitor:\n    say: a: b\n');
    const res = await t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: yaml, payload: broken });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('rules_invalid');
    expect(body.issues[0]).toMatchObject({ code: 'yaml_invalid', file: 'thread returns (draft)', line: lineOf(broken, 'say: a: b') });
    // Seeding left the file itself as the draft: a refused PUT must leave it as it was.
    expect(await draftOf('returns')).toBe(RETURNS);
  });

  it('answers 422 with the line, step and field of a goto to a missing step', async () => {
    const broken = RETURNS.replace('goto: greet_trusted', 'goto: greet_nobody');
    const res = await t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: yaml, payload: broken });
    expect(res.statusCode).toBe(422);
    expect(res.json().issues).toContainEqual(
      expect.objectContaining({ code: 'goto_step_unknown', step: 'greet', field: 'steps.greet.next.0.goto', line: lineOf(broken, 'goto: greet_nobody') }),
    );
    expect(await draftOf('returns')).toBe(RETURNS);
  });

  it('answers 422 rules_id_mismatch with the line of the id when the file names another thread', async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/v1/threads/orders/draft', headers: yaml, payload: RETURNS });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'rules_id_mismatch', issues: [{ field: 'id', line: lineOf(RETURNS, 'id: returns') }] });
    expect(await draftOf('orders')).toBeNull();
  });

  it('answers 422 kind_unknown at the kind line for a widget file', async () => {
    const widget = readFileSync('rules/widgets/shop-visitor.yaml', 'utf8');
    const res = await t.app.inject({ method: 'PUT', url: '/v1/threads/shop-visitor/draft', headers: yaml, payload: widget });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'rules_invalid', issues: [{ code: 'kind_unknown', field: 'kind', line: lineOf(widget, 'kind: widget') }] });
  });

  it('answers 400 validation_failed for a bad id, an empty body or a JSON body of the wrong shape', async () => {
    const badId = await t.app.inject({ method: 'PUT', url: '/v1/threads/9lives/draft', headers: yaml, payload: RETURNS });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().code).toBe('validation_failed');
    const wrongShape = await t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: auth('admin'), payload: { yaml: RETURNS } });
    expect(wrongShape.statusCode).toBe(400);
    expect(wrongShape.json().code).toBe('validation_failed');
    const empty = await t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: auth('admin'), payload: { source: '' } });
    expect(empty.statusCode).toBe(400);
  });

  it('answers 400 body_invalid for broken JSON', async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: { ...auth('admin'), 'content-type': 'application/json' }, payload: '{"source": ' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('body_invalid');
  });

  it('answers 415 naming the accepted media types for any other content type', async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: { ...auth('admin'), 'content-type': 'application/xml' }, payload: '<thread/>' });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('unsupported_media_type');
    expect(res.json().message).toContain('application/yaml');
  });

  it('answers 413 for a YAML body over the limit (128 KiB)', async () => {
    const big = `${RETURNS}\n# ${'x'.repeat(130 * 1024)}\n`;
    const res = await t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: yaml, payload: big });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('payload_too_large');
  });

  it('keeps its parsers to its own routes: elsewhere another media type gets the app-wide 415', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: { ...auth('runtime'), 'content-type': 'application/xml' }, payload: '<start/>' });
    expect(res.statusCode).toBe(415);
    expect(res.json().message).not.toContain('rules file');
  });
});

describe('POST /v1/threads/:id/validate', () => {
  it('checks a file in the body without storing it', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/threads/returns/validate', headers: yaml, payload: RETURNS_V2 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ valid: true, id: 'returns', checked: 'body' });
    expect(await draftOf('returns')).toBe(RETURNS);
  });

  it('answers 422 with issues for a broken file in the body', async () => {
    const broken = RETURNS.replace('start: greet', 'start: nowhere');
    const res = await t.app.inject({ method: 'POST', url: '/v1/threads/returns/validate', headers: auth('admin'), payload: { source: broken } });
    expect(res.statusCode).toBe(422);
    expect(res.json().issues).toContainEqual(expect.objectContaining({ code: 'start_step_unknown', line: lineOf(broken, 'start: nowhere') }));
  });

  it('checks the stored draft when the body is empty, and 404 draft_not_found when there is none', async () => {
    const none = await t.app.inject({ method: 'POST', url: '/v1/threads/faq/validate', headers: auth('admin') });
    expect(none.statusCode).toBe(404);
    expect(none.json().code).toBe('draft_not_found');
    await t.store.rules.putThreadDraft('faq', FAQ, new Date(T0).toISOString());
    const res = await t.app.inject({ method: 'POST', url: '/v1/threads/faq/validate', headers: auth('admin') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ valid: true, checked: 'draft' });
  });

  it('reports a stored draft that no longer compiles with its issues', async () => {
    // Written behind the API's back, as a draft stored by an older, laxer release would be.
    await t.store.rules.putThreadDraft('returns', RETURNS.replace('goto: greet_trusted', 'goto: gone'), new Date(T0).toISOString());
    const res = await t.app.inject({ method: 'POST', url: '/v1/threads/returns/validate', headers: auth('admin') });
    expect(res.statusCode).toBe(422);
    expect(res.json().issues[0].code).toBe('goto_step_unknown');
  });
});

describe('publishing and versions', () => {
  it('POST publish answers 404 draft_not_found without a draft', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/threads/faq/publish', headers: auth('admin') });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('draft_not_found');
  });

  it('POST publish refuses (422) a stored draft that no longer compiles, and publishes nothing', async () => {
    await t.store.rules.putThreadDraft('returns', RETURNS.replace('goto: greet_trusted', 'goto: gone'), new Date(T0).toISOString());
    const res = await t.app.inject({ method: 'POST', url: '/v1/threads/returns/publish', headers: auth('admin') });
    expect(res.statusCode).toBe(422);
    expect((await t.store.rules.listThreadVersions('returns')).length).toBe(1);
  });

  it('publishes the draft as the next version, active; lists and reads versions', async () => {
    await t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: yaml, payload: RETURNS_V2 });
    t.clock.advance(60);
    const pub = await t.app.inject({ method: 'POST', url: '/v1/threads/returns/publish', headers: auth('admin') });
    expect(pub.statusCode).toBe(201);
    expect(pub.json()).toEqual({ id: 'returns', version: 2, publishedAt: new Date(T0 + 60_000).toISOString(), active: true });

    const list = await t.app.inject({ method: 'GET', url: '/v1/threads/returns/versions', headers: auth('admin') });
    expect(list.statusCode).toBe(200);
    expect(list.json().versions.map((v: { version: number; active: boolean }) => [v.version, v.active])).toEqual([
      [1, false],
      [2, true],
    ]);

    const v2 = await t.app.inject({ method: 'GET', url: '/v1/threads/returns/versions/2', headers: auth('admin') });
    expect(v2.statusCode).toBe(200);
    expect(v2.json()).toMatchObject({ id: 'returns', version: 2, active: true, source: RETURNS_V2 });
    const v1 = await t.app.inject({ method: 'GET', url: '/v1/threads/returns/versions/1', headers: auth('admin') });
    expect(v1.json().source).toBe(RETURNS);
  });

  it('GET /v1/threads lists every thread with its active version (null for a draft never published)', async () => {
    await t.app.inject({ method: 'PUT', url: '/v1/threads/faq/draft', headers: yaml, payload: FAQ });
    const res = await t.app.inject({ method: 'GET', url: '/v1/threads', headers: auth('admin') });
    expect(res.statusCode).toBe(200);
    expect(res.json().threads).toEqual([
      { id: 'faq', activeVersion: null, draftUpdatedAt: new Date(T0).toISOString() },
      { id: 'returns', activeVersion: 1, draftUpdatedAt: new Date(T0).toISOString() },
    ]);
  });

  it('answers 404 thread_not_found and thread_version_not_found, and 400 for a version that is not a number', async () => {
    const noThread = await t.app.inject({ method: 'GET', url: '/v1/threads/nothing/versions', headers: auth('admin') });
    expect(noThread.statusCode).toBe(404);
    expect(noThread.json().code).toBe('thread_not_found');
    const noVersion = await t.app.inject({ method: 'GET', url: '/v1/threads/returns/versions/7', headers: auth('admin') });
    expect(noVersion.statusCode).toBe(404);
    expect(noVersion.json().code).toBe('thread_version_not_found');
    const nan = await t.app.inject({ method: 'GET', url: '/v1/threads/returns/versions/latest', headers: auth('admin') });
    expect(nan.statusCode).toBe(400);
    expect(nan.json().code).toBe('validation_failed');
  });
});

describe('POST /v1/threads/:id/rollback', () => {
  it('answers 404 thread_version_not_found for an unknown version and 400 for a bad body', async () => {
    const unknown = await t.app.inject({ method: 'POST', url: '/v1/threads/returns/rollback', headers: auth('admin'), payload: { version: 9 } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('thread_version_not_found');
    const otherThread = await t.app.inject({ method: 'POST', url: '/v1/threads/nothing/rollback', headers: auth('admin'), payload: { version: 1 } });
    expect(otherThread.statusCode).toBe(404);
    const bad = await t.app.inject({ method: 'POST', url: '/v1/threads/returns/rollback', headers: auth('admin'), payload: { version: '1' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation_failed');
    const missing = await t.app.inject({ method: 'POST', url: '/v1/threads/returns/rollback', headers: auth('admin'), payload: {} });
    expect(missing.statusCode).toBe(400);
  });

  it('switches NEW conversations to the earlier version while conversations in flight keep theirs', async () => {
    const start = async () => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } });
      expect(res.statusCode).toBe(201);
      return res.json().conversationId as string;
    };
    const askForAgent = async (id: string) => {
      const res = await t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: { type: 'message', text: 'Something else' } });
      expect(res.statusCode).toBe(200);
      return (res.json().outputs as { type: string; text?: string }[]).filter((o) => o.type === 'message').map((o) => o.text);
    };
    const versionOf = async (id: string) => (await t.app.inject({ method: 'GET', url: `/v1/conversations/${id}`, headers: auth('admin') })).json().threadVersion;

    const onV1 = await start();
    await t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: yaml, payload: RETURNS_V2 });
    expect((await t.app.inject({ method: 'POST', url: '/v1/threads/returns/publish', headers: auth('admin') })).statusCode).toBe(201);
    const onV2 = await start();

    const rb = await t.app.inject({ method: 'POST', url: '/v1/threads/returns/rollback', headers: auth('admin'), payload: { version: 1 } });
    expect(rb.statusCode).toBe(200);
    expect(rb.json()).toMatchObject({ id: 'returns', version: 1, active: true });
    const afterRollback = await start();

    expect([await versionOf(onV1), await versionOf(onV2), await versionOf(afterRollback)]).toEqual([1, 2, 1]);
    // The turns run after the rollback: the conversation started on v2 still speaks v2.
    expect(await askForAgent(onV2)).toEqual([AGENT_V2]);
    expect(await askForAgent(onV1)).toEqual([AGENT_V1]);
    expect(await askForAgent(afterRollback)).toEqual([AGENT_V1]);

    const versions = (await t.app.inject({ method: 'GET', url: '/v1/threads/returns/versions', headers: auth('admin') })).json().versions;
    expect(versions.filter((v: { active: boolean }) => v.active).map((v: { version: number }) => v.version)).toEqual([1]);
  });
});
