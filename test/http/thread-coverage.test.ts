// POST /v1/threads/:id/coverage: the same numbers as `threadgate test --coverage`, draft/body/active thread texts, bad transcripts listed, never a 500.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/http/config.ts';
import type { CoverageAnswer } from '../../src/http/routes/thread-coverage.ts';
import { threadgate } from '../cli/helpers.ts';
import { auth, buildTestApp, type TestApp } from './helpers.ts';

const FIXTURE = 'test/replay/fixtures/branch-coverage';
const RETURNS = await readFile('rules/threads/returns.yaml', 'utf8');
const TRIAGE = await readFile(`${FIXTURE}/rules/threads/triage.yaml`, 'utf8');
const TRIAGE_WIDGET = await readFile(`${FIXTURE}/rules/widgets/triage-chat.yaml`, 'utf8');
const fixtureTranscripts = async (...names: string[]) => Promise.all(names.map(async (n) => ({ source: await readFile(`${FIXTURE}/${n}.yaml`, 'utf8') })));

const hitsOf = (branches: { id: string; hits: number }[]) => Object.fromEntries(branches.map((b) => [b.id, b.hits]));
const uncovered = (branches: { id: string; hits: number }[]) => branches.filter((b) => b.hits === 0).map((b) => b.id);

/** What the CLI reports for these paths, per thread id. */
async function cliCoverage(...paths: string[]) {
  const r = await threadgate(['test', ...paths, '--json', '--coverage']);
  const out = JSON.parse(r.stdout) as { coverage: { threadId: string; total: number; covered: number; branches: { id: string; hits: number }[] }[] };
  return Object.fromEntries(out.coverage.map((c) => [c.threadId, c]));
}

let t: TestApp;
const cover = async (id: string, payload?: object, headers: Record<string, string> = auth('admin')) =>
  t.app.inject({ method: 'POST', url: `/v1/threads/${id}/coverage`, headers, ...(payload !== undefined ? { payload } : {}) });

describe('POST /v1/threads/:id/coverage with the server transcripts folder', () => {
  beforeAll(async () => {
    t = await buildTestApp({ transcriptsDir: 'test/conversations' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('replays the folder against the draft and agrees with the CLI, branch by branch', async () => {
    const res = await cover('returns');
    expect(res.statusCode).toBe(200);
    const body = res.json() as CoverageAnswer;
    // Seeding publishes the rules folder's thread and keeps it as the draft, so the draft is what runs.
    expect(body).toMatchObject({ threadId: 'returns', checked: 'draft', total: 42, covered: 39 });
    expect(uncovered(body.branches)).toEqual(['ask_topic_again>0', 'order_number>fail', 'return_confirm>1']);
    expect(body.branches[0]).toEqual({ id: 'greet>0', step: 'greet', index: 0, name: 'authenticated customer', to: 'greet_trusted', kind: 'next', hits: 12 });
    expect(body.transcripts).toHaveLength(37);
    expect(body.transcripts.filter((x) => !x.ok)).toEqual([]);
    expect(body.transcripts[0]).toEqual({ name: 'agent-joins-chat.yaml', ok: true, failures: 0, issues: [] });

    const cli = (await cliCoverage('test/conversations')).returns!;
    expect({ total: body.total, covered: body.covered }).toEqual({ total: cli.total, covered: cli.covered });
    expect(hitsOf(body.branches)).toEqual(hitsOf(cli.branches));
  });

  it('answers 401 without a key and 403 for other roles', async () => {
    expect((await cover('returns', undefined, {})).statusCode).toBe(401);
    for (const role of ['runtime', 'identity'] as const) {
      const r = await cover('returns', undefined, auth(role));
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('forbidden');
    }
  });

  it('answers 404 thread_not_found for a thread with neither draft nor version, unless the body sends it', async () => {
    const r = await cover('faq');
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 'thread_not_found', message: expect.stringContaining('no draft and no published version') });
    // Sent in the body, it runs; no stored widget runs "faq", so no folder transcript counts.
    const sent = await cover('faq', { thread: RETURNS.replace('id: returns', 'id: faq') });
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toMatchObject({ threadId: 'faq', checked: 'body', total: 42, covered: 0, transcripts: [] });
  });

  it('answers 422 for a thread text that does not compile, is not this thread or is an alias bomb', async () => {
    const broken = await cover('returns', { thread: RETURNS.replace('goto: order_answer', 'goto: order_answr') });
    expect(broken.statusCode).toBe(422);
    expect(broken.json()).toMatchObject({ code: 'rules_invalid', issues: [{ code: 'goto_step_unknown' }] });
    const other = await cover('returns', { thread: RETURNS.replace('id: returns', 'id: other') });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('rules_id_mismatch');
    const bomb = 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
    const aliases = await cover('returns', { thread: bomb });
    expect(aliases.statusCode).toBe(422);
    expect(aliases.json()).toMatchObject({ code: 'rules_invalid', issues: [{ code: 'yaml_invalid' }] });
  });

  it('refuses bodies out of bounds with 400 validation_failed', async () => {
    const one = { source: 'name: x\nsetup: { widget: shop-visitor }\n' };
    for (const payload of [
      { transcripts: [] },
      { transcripts: Array.from({ length: 21 }, () => one) },
      { transcripts: [{ source: `# ${'x'.repeat(32 * 1024)}\n${one.source}` }] },
      { transcripts: [{ ...one, file: 'a.yaml' }] },
      { threads: RETURNS },
      { thread: '' },
    ]) {
      const r = await cover('returns', payload);
      expect(r.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(r.json().code).toBe('validation_failed');
    }
    // Ids that break the id rule or fastify's parameter length (100) are refused, never a 500.
    expect((await cover('9lives')).json().code).toBe('validation_failed');
    expect((await cover('%E0%A4%A')).json().code).toBe('validation_failed');
    const long = await cover('a'.repeat(101));
    expect(long.statusCode).toBe(404);
    expect(long.json()).toEqual({ code: 'not_found', message: expect.stringContaining('ids are at most 64 characters'), requestId: expect.any(String) });
    const huge = await cover('returns', { thread: 'x'.repeat(1024 * 1024) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('payload_too_large');
    const text = await t.app.inject({ method: 'POST', url: '/v1/threads/returns/coverage', headers: { ...auth('admin'), 'content-type': 'application/yaml' }, payload: RETURNS });
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe('unsupported_media_type');
  });

  it('lists transcripts that cannot be read or run with their issues, and runs the others', async () => {
    const good = await readFile('test/conversations/seed000-most-ideal.yaml', 'utf8');
    const manyTurns = `name: long\nsetup: { widget: shop-visitor }\nturns:\n${'  - advance: 1\n'.repeat(201)}`;
    const res = await cover('returns', {
      transcripts: [
        { name: 'good', source: good },
        { source: 'name: [unclosed\n' },
        { name: 'unknown key', source: 'name: x\nsetup: { widget: shop-visitor }\nturns:\n  - customer: { mesage: hi }\n' },
        { name: 'no such widget', source: 'name: x\nsetup: { widget: nowhere }\n' },
        { name: 'too long', source: manyTurns },
        { name: 'aliases', source: 'name: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n' },
        { name: 'wrong expectation', source: good.replace('trusted: true', 'trusted: false') },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as CoverageAnswer;
    const entries = Object.fromEntries(body.transcripts.map((x) => [x.name, { ok: x.ok, failures: x.failures, codes: x.issues.map((i) => i.code) }]));
    expect(entries).toEqual({
      good: { ok: true, failures: 0, codes: [] },
      'transcripts[1]': { ok: false, failures: 0, codes: ['yaml_invalid'] },
      'unknown key': { ok: false, failures: 0, codes: ['schema_invalid', 'schema_invalid'] },
      'no such widget': { ok: false, failures: 0, codes: ['config_invalid'] },
      'too long': { ok: false, failures: 0, codes: ['config_invalid'] },
      aliases: { ok: false, failures: 0, codes: ['yaml_invalid'] },
      'wrong expectation': { ok: false, failures: 1, codes: [] },
    });
    expect(body.transcripts.find((x) => x.name === 'unknown key')!.issues[0]).toMatchObject({ message: 'unknown field: mesage', line: 4, file: 'unknown key' });
    expect(body.transcripts.find((x) => x.name === 'no such widget')!.issues[0]!.message).toContain('no widget "nowhere" is stored on this server');
    // The two runs that happened (a failed expectation still ran its turns) are counted.
    expect(body.covered).toBeGreaterThan(0);
  });
});

describe('POST /v1/threads/:id/coverage with a thread and widget of its own', () => {
  beforeAll(async () => {
    t = await buildTestApp();
    const admin = { ...auth('admin'), 'content-type': 'application/yaml' };
    expect((await t.app.inject({ method: 'PUT', url: '/v1/threads/triage/draft', headers: admin, payload: TRIAGE })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/v1/threads/triage/publish', headers: auth('admin') })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'PUT', url: '/v1/widgets/triage-chat', headers: admin, payload: TRIAGE_WIDGET })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('without a transcripts folder nor transcripts in the body, nothing is covered', async () => {
    const r = await cover('triage');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ threadId: 'triage', checked: 'draft', total: 9, covered: 0, transcripts: [] });
  });

  it('reports exactly the branch the sent transcripts miss, as the CLI does for the same files', async () => {
    const names = ['transcripts/orders-then-sign-in', 'transcripts/fails-twice', 'transcripts/signed-in-other'];
    const r = await cover('triage', { transcripts: await fixtureTranscripts(...names) });
    expect(r.statusCode).toBe(200);
    const body = r.json() as CoverageAnswer;
    expect(body).toMatchObject({ total: 9, covered: 8 });
    expect(body.branches.filter((b) => b.hits === 0)).toEqual([{ id: 'on.authenticated>1', step: 'on.authenticated', index: 1, name: null, to: 'greet', kind: 'handler', hits: 0 }]);
    expect(body.transcripts.map((x) => x.name)).toEqual(['orders, a stray message, then sign in', 'two invalid answers go to an agent', 'signed in, something else']);
    const cli = (await cliCoverage(`${FIXTURE}/transcripts`)).triage!;
    expect(hitsOf(body.branches)).toEqual(hitsOf(cli.branches));

    const all = await cover('triage', { transcripts: await fixtureTranscripts(...names, 'extra/sign-in-first') });
    expect(all.json()).toMatchObject({ total: 9, covered: 9 });
  });

  it('runs the stored draft in place of the active version, and a body thread in place of both', async () => {
    // The draft drops the onFail: one branch fewer, and the two invalid answers now just ask again.
    const draft = TRIAGE.replace('      maxAttempts: 2\n      onFail: agent\n', '');
    expect((await t.app.inject({ method: 'PUT', url: '/v1/threads/triage/draft', headers: auth('admin'), payload: { source: draft } })).statusCode).toBe(200);
    const transcripts = await fixtureTranscripts('transcripts/fails-twice');
    const fromDraft = (await cover('triage', { transcripts })).json() as CoverageAnswer;
    expect(fromDraft).toMatchObject({ checked: 'draft', total: 8, transcripts: [{ ok: false, failures: 2 }] });
    const fromBody = (await cover('triage', { thread: TRIAGE, transcripts })).json() as CoverageAnswer;
    expect(fromBody).toMatchObject({ checked: 'body', total: 9, transcripts: [{ ok: true, failures: 0 }] });
    expect(fromBody.branches.find((b) => b.id === 'topic>fail')!.hits).toBe(1);
  });

  it('lists a sent transcript whose widget runs another thread, and leaves such folder transcripts out', async () => {
    const visitor = { name: 'returns transcript', source: await readFile('test/conversations/seed002-none.yaml', 'utf8') };
    const sent = (await cover('triage', { transcripts: [visitor] })).json() as CoverageAnswer;
    expect(sent.transcripts).toEqual([
      { name: 'returns transcript', ok: false, failures: 0, issues: [{ code: 'config_invalid', file: 'returns transcript', message: 'setup.widget: widget "shop-visitor" runs thread "returns", not "triage"' }] },
    ]);

    const dir = await mkdtemp(join(tmpdir(), 'tg-coverage-'));
    await writeFile(join(dir, 'a-returns.yaml'), visitor.source);
    await writeFile(join(dir, 'b-broken.yaml'), 'name: x\nsetup: {}\n');
    await writeFile(join(dir, 'c-triage.yaml'), (await fixtureTranscripts('transcripts/signed-in-other'))[0]!.source);
    const folder = await buildTestApp({ transcriptsDir: dir });
    try {
      expect((await folder.app.inject({ method: 'PUT', url: '/v1/threads/triage/draft', headers: auth('admin'), payload: { source: TRIAGE } })).statusCode).toBe(200);
      expect((await folder.app.inject({ method: 'POST', url: '/v1/threads/triage/publish', headers: auth('admin') })).statusCode).toBe(201);
      expect((await folder.app.inject({ method: 'PUT', url: '/v1/widgets/triage-chat', headers: auth('admin'), payload: { source: TRIAGE_WIDGET } })).statusCode).toBe(200);
      const r = (await folder.app.inject({ method: 'POST', url: '/v1/threads/triage/coverage', headers: auth('admin') })).json() as CoverageAnswer;
      expect(r.transcripts.map((x) => ({ name: x.name, ok: x.ok, codes: x.issues.map((i) => i.code) }))).toEqual([
        { name: 'b-broken.yaml', ok: false, codes: ['schema_invalid'] },
        { name: 'c-triage.yaml', ok: true, codes: [] },
      ]);
      expect(r.covered).toBe(2);
    } finally {
      await folder.close();
    }
  });
});

describe('THREADGATE_TRANSCRIPTS_DIR', () => {
  it('defaults to test/conversations when it exists, and refuses a setting that is not a folder', () => {
    expect(loadConfig({}).transcriptsDir).toBe('test/conversations');
    expect(loadConfig({ THREADGATE_TRANSCRIPTS_DIR: FIXTURE }).transcriptsDir).toBe(FIXTURE);
    expect(() => loadConfig({ THREADGATE_TRANSCRIPTS_DIR: 'no/such/folder' })).toThrow(/THREADGATE_TRANSCRIPTS_DIR: "no\/such\/folder" is not a folder/);
  });
});
