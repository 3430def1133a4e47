// The server side of Thread Studio without a browser: the lint route, and how /studio is served (CSP, fallback, traversal, caching).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, type TestApp } from '../http/helpers.ts';

describe('POST /v1/threads/:id/lint', () => {
  let t: TestApp;
  // Building the app takes seconds on this shared machine; the default hook timeout is 10 s.
  beforeAll(async () => {
    t = await buildTestApp();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const lint = (payload: string, headers: Record<string, string> = auth('admin')) => t.app.inject({ method: 'POST', url: '/v1/threads/demo/lint', headers: { ...headers, 'content-type': 'application/yaml' }, payload });

  it("answers the linter's findings with line and column", async () => {
    const source = ['kind: thread', 'id: demo', 'start: a', 'steps:', '  a:', '    say: hi', '  orphan:', '    say: nobody comes here', ''].join('\n');
    const r = await lint(source);
    expect(r.statusCode).toBe(200);
    const body = r.json() as { checked: string; findings: { code: string; step?: string; line: number; column: number; severity: string }[] };
    expect(body.checked).toBe('body');
    expect(body.findings).toContainEqual(expect.objectContaining({ code: 'step_unreachable', step: 'orphan', line: 7, column: 3, severity: 'warning' }));
  });

  it('answers 422 rules_invalid with the compile issues when the file does not compile, as validate does', async () => {
    const r = await lint(['kind: thread', 'id: demo', 'start: a', 'steps:', '  a:', '    next:', '      - when: { fact: auht.status, operator: equal, value: x }', '        goto: a', ''].join('\n'));
    expect(r.statusCode).toBe(422);
    expect((r.json() as { code: string; issues: { code: string; line: number }[] }).issues).toContainEqual(expect.objectContaining({ code: 'fact_unknown', line: 7 }));
  });

  it('lints the stored draft when given no body, and needs the admin role', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/threads/returns/lint', headers: auth('admin') });
    expect(r.statusCode).toBe(200);
    expect((r.json() as { checked: string }).checked).toBe('draft');
    expect((await lint('kind: thread', auth('runtime'))).statusCode).toBe(403);
    expect((await lint('kind: thread', {})).statusCode).toBe(401);
  });
});

describe('GET /studio', () => {
  let t: TestApp;
  // Building the app takes seconds on this shared machine; the default hook timeout is 10 s.
  beforeAll(async () => {
    t = await buildTestApp();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('answers the page under the studio CSP (a fresh style nonce per page), or 503 when not built', async () => {
    const a = await t.app.inject({ url: '/studio' });
    if (a.statusCode === 503) {
      expect(a.body).toContain('npm run build:studio');
      return;
    }
    expect(a.statusCode).toBe(200);
    const b = await t.app.inject({ url: '/studio/threads/returns/versions' });
    expect(b.statusCode).toBe(200);
    const nonce = (csp: unknown) => /'nonce-([^']+)'/.exec(String(csp))?.[1];
    expect(nonce(a.headers['content-security-policy'])).toBeDefined();
    expect(nonce(a.headers['content-security-policy'])).not.toBe(nonce(b.headers['content-security-policy']));
    expect(a.body).toContain(`content="${nonce(a.headers['content-security-policy'])}"`);
    expect(String(a.headers['content-security-policy'])).toContain("script-src 'self';");
    expect(a.headers['cache-control']).toBe('no-store');
  });

  it('never serves a file outside dist/studio', async () => {
    for (const url of ['/studio/..%2fpackage.json', '/studio/%2e%2e/package.json', '/studio/assets/..%2f..%2fpackage.json', '/studio/.vite/manifest.json']) {
      const r = await t.app.inject({ url });
      expect(r.body, url).not.toContain(JSON.parse(readFileSync('package.json', 'utf8')).description);
      expect([200, 404, 503], url).toContain(r.statusCode);
    }
  });
});
