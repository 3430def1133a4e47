// Admin widget and profile routes: checked before stored (keys resolve, thread published), normalised keys, 409 on a taken key.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auth, buildTestApp, T0, type TestApp } from './helpers.ts';

const VISITOR = readFileSync('rules/widgets/shop-visitor.yaml', 'utf8');
const NEW_WIDGET = VISITOR.replace('id: shop-visitor', 'id: shop-new');
const yaml = { ...auth('admin'), 'content-type': 'application/yaml' };
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.close();
});

const put = (id: string, source: string) => t.app.inject({ method: 'PUT', url: `/v1/widgets/${id}`, headers: yaml, payload: source });

describe('authentication and roles', () => {
  const routes: { method: 'GET' | 'PUT' | 'DELETE'; url: string; payload?: object }[] = [
    { method: 'GET', url: '/v1/widgets' },
    { method: 'GET', url: '/v1/widgets/shop-form' },
    { method: 'PUT', url: '/v1/widgets/shop-new', payload: { source: NEW_WIDGET } },
    { method: 'DELETE', url: '/v1/widgets/shop-form' },
    { method: 'GET', url: '/v1/profiles' },
    { method: 'GET', url: '/v1/profiles/p-1' },
    { method: 'PUT', url: '/v1/profiles/p-1', payload: { name: 'Julie' } },
  ];

  it.each(routes)('$method $url answers 401 without a key and 403 with a runtime or identity key', async (r) => {
    const none = await t.app.inject({ method: r.method, url: r.url, ...(r.payload ? { payload: r.payload } : {}) });
    expect(none.statusCode).toBe(401);
    for (const role of ['runtime', 'identity'] as const) {
      const wrong = await t.app.inject({ method: r.method, url: r.url, headers: auth(role), ...(r.payload ? { payload: r.payload } : {}) });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json().code).toBe('forbidden');
    }
    // Nothing was changed by the refused calls.
    expect((await t.store.rules.listWidgets()).map((w) => w.id)).toEqual(['shop-form', 'shop-optional', 'shop-portal', 'shop-visitor']);
    expect(await t.store.profiles.get('p-1')).toBeNull();
  });
});

describe('widgets', () => {
  it('GET /v1/widgets lists the seeded widgets with their onboarding type and thread', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/widgets', headers: auth('admin') });
    expect(res.statusCode).toBe(200);
    expect(res.json().widgets).toContainEqual({ id: 'shop-form', updatedAt: new Date(T0).toISOString(), name: 'Shop help (pre-chat form)', onboarding: 'form', thread: 'returns' });
    expect(res.json().widgets).toHaveLength(4);
  });

  it('GET /v1/widgets/:id returns the file; 404 widget_not_found for an unknown id; 400 for a malformed id', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/v1/widgets/shop-visitor', headers: auth('admin') });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id: 'shop-visitor', source: VISITOR });
    const missing = await t.app.inject({ method: 'GET', url: '/v1/widgets/nope', headers: auth('admin') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('widget_not_found');
    const bad = await t.app.inject({ method: 'GET', url: '/v1/widgets/-x', headers: auth('admin') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation_failed');
  });

  it('PUT stores a valid widget (YAML or JSON { source }) and conversations can start on it', async () => {
    const res = await put('shop-new', NEW_WIDGET);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 'shop-new', updatedAt: new Date(T0).toISOString() });
    const started = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-new' } });
    expect(started.statusCode).toBe(201);

    const renamed = NEW_WIDGET.replace('name: Shop help (visitors welcome)', 'name: Renamed');
    const json = await t.app.inject({ method: 'PUT', url: '/v1/widgets/shop-new', headers: auth('admin'), payload: { source: renamed } });
    expect(json.statusCode).toBe(200);
    expect((await t.store.rules.getWidget('shop-new'))?.source).toBe(renamed);
  });

  it('PUT answers 422 widget_thread_unknown when the thread has no published version, and stores nothing', async () => {
    // A thread that exists only as a draft is not enough: conversations start on the active version.
    await t.store.rules.putThreadDraft('faq', readFileSync('rules/threads/returns.yaml', 'utf8').replace('id: returns', 'id: faq'), new Date(T0).toISOString());
    for (const thread of ['faq', 'nothing']) {
      const res = await put('shop-new', NEW_WIDGET.replace('thread: returns', `thread: ${thread}`));
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'widget_thread_unknown', thread });
    }
    expect(await t.store.rules.getWidget('shop-new')).toBeNull();
  });

  it('PUT answers 422 rules_invalid when a JWT key does not resolve (missing env secret), and stores nothing', async () => {
    const res = await put('shop-new', NEW_WIDGET.replace('env: SHOP_JWT_SECRET', 'env: NOT_SET_ANYWHERE'));
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('rules_invalid');
    expect(res.json().issues[0].code).toBe('jwt_secret_missing');
    expect(await t.store.rules.getWidget('shop-new')).toBeNull();
  });

  it('PUT answers 422 with the line of a schema problem, of the id, and of the kind', async () => {
    const badOnboarding = NEW_WIDGET.replace('onboarding: none', 'onboarding: sometimes');
    const schema = await put('shop-new', badOnboarding);
    expect(schema.statusCode).toBe(422);
    expect(schema.json().issues[0]).toMatchObject({ code: 'schema_invalid', field: 'onboarding', line: lineOf(badOnboarding, 'onboarding: sometimes') });

    const mismatch = await put('shop-other', NEW_WIDGET);
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json()).toMatchObject({ code: 'rules_id_mismatch', issues: [{ field: 'id', line: lineOf(NEW_WIDGET, 'id: shop-new') }] });

    const thread = readFileSync('rules/threads/returns.yaml', 'utf8');
    const kind = await put('returns', thread);
    expect(kind.statusCode).toBe(422);
    expect(kind.json().issues[0]).toMatchObject({ code: 'kind_unknown', line: lineOf(thread, 'kind: thread') });
    expect((await t.store.rules.listWidgets()).map((w) => w.id)).not.toContain('returns');
  });

  it('PUT answers 415 for another media type and 400 for an empty body', async () => {
    const xml = await t.app.inject({ method: 'PUT', url: '/v1/widgets/shop-new', headers: { ...auth('admin'), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().code).toBe('unsupported_media_type');
    const empty = await t.app.inject({ method: 'PUT', url: '/v1/widgets/shop-new', headers: auth('admin'), payload: { source: '' } });
    expect(empty.statusCode).toBe(400);
  });

  it('DELETE answers 204, then the widget is gone (404 on read, delete and start)', async () => {
    const del = await t.app.inject({ method: 'DELETE', url: '/v1/widgets/shop-visitor', headers: auth('admin') });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    const again = await t.app.inject({ method: 'DELETE', url: '/v1/widgets/shop-visitor', headers: auth('admin') });
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('widget_not_found');
    expect((await t.app.inject({ method: 'GET', url: '/v1/widgets/shop-visitor', headers: auth('admin') })).statusCode).toBe(404);
    const start = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } });
    expect(start.statusCode).toBe(404);
    expect(start.json().code).toBe('widget_not_found');
  });
});

describe('profiles', () => {
  const putProfile = (id: string, body: object) => t.app.inject({ method: 'PUT', url: `/v1/profiles/${id}`, headers: auth('admin'), payload: body });

  it('PUT stores a profile with normalised emails and phones; GET reads it; 404 profile_not_found otherwise', async () => {
    const res = await putProfile('p-1', { name: 'Julie Doe', emails: ['  Julie@Example.COM '], phones: ['+1 (415) 555-0123'], externalId: 'u-42', attributes: { tier: 'gold' } });
    expect(res.statusCode).toBe(200);
    const expected = { id: 'p-1', name: 'Julie Doe', emails: ['julie@example.com'], phones: ['+14155550123'], externalId: 'u-42', attributes: { tier: 'gold' } };
    expect(res.json()).toEqual(expected);
    const get = await t.app.inject({ method: 'GET', url: '/v1/profiles/p-1', headers: auth('admin') });
    expect(get.statusCode).toBe(200);
    expect(get.json()).toEqual(expected);
    const missing = await t.app.inject({ method: 'GET', url: '/v1/profiles/p-9', headers: auth('admin') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('profile_not_found');
  });

  it('PUT answers 409 profile_key_taken when a key belongs to another profile, and writes nothing', async () => {
    await putProfile('p-1', { emails: ['julie@example.com'], phones: ['+14155550123'] });
    const res = await putProfile('p-2', { name: 'Someone', emails: ['JULIE@example.com'] });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'profile_key_taken', key: 'email:julie@example.com', takenBy: 'p-1' });
    expect(await t.store.profiles.get('p-2')).toBeNull();
    const phone = await putProfile('p-2', { phones: ['+1 415 555 0123'] });
    expect(phone.statusCode).toBe(409);
    expect(phone.json().key).toBe('phone:+14155550123');
  });

  it('PUT replaces the whole profile: a key left out is released for others', async () => {
    await putProfile('p-1', { emails: ['julie@example.com'], phones: ['+14155550123'] });
    expect((await putProfile('p-1', { emails: ['julie@example.com'] })).json().phones).toEqual([]);
    expect((await putProfile('p-2', { phones: ['+14155550123'] })).statusCode).toBe(200);
  });

  it.each([
    ['an invalid email', { emails: ['not-an-email'] }, 'body.emails.0'],
    ['an invalid phone', { phones: ['12'] }, 'body.phones.0'],
    ['an unknown field', { nickname: 'J' }, 'body'],
    ['a name of the wrong type', { name: 42 }, 'body.name'],
  ])('PUT answers 400 validation_failed for %s', async (_label, body, field) => {
    const res = await putProfile('p-1', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
    expect(res.json().issues.map((i: { field: string }) => i.field)).toContain(field);
    expect(await t.store.profiles.get('p-1')).toBeNull();
  });

  it('GET /v1/profiles pages by id with limit and after', async () => {
    for (const id of ['p-3', 'p-1', 'p-2']) await putProfile(id, { name: id });
    const first = await t.app.inject({ method: 'GET', url: '/v1/profiles?limit=2', headers: auth('admin') });
    expect(first.statusCode).toBe(200);
    expect(first.json().profiles.map((p: { id: string }) => p.id)).toEqual(['p-1', 'p-2']);
    expect(first.json().next).toBe('p-2');
    const second = await t.app.inject({ method: 'GET', url: `/v1/profiles?limit=2&after=${first.json().next}`, headers: auth('admin') });
    expect(second.json()).toMatchObject({ profiles: [{ id: 'p-3' }], next: null });
    const all = await t.app.inject({ method: 'GET', url: '/v1/profiles', headers: auth('admin') });
    expect(all.json().profiles).toHaveLength(3);
  });

  it.each(['limit=0', 'limit=201', 'limit=ten', 'cursor=p-1'])('GET /v1/profiles?%s answers 400', async (query) => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/profiles?${query}`, headers: auth('admin') });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
  });
});
