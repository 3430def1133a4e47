// docs/api.md lists every route the app serves, and docs/operations.md every setting with its variable and default.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema, loadConfig } from '../../src/http/config.ts';
import { buildTestApp, type TestApp } from './helpers.ts';

describe('docs/api.md', () => {
  const api = readFileSync('docs/api.md', 'utf8');
  let t: TestApp;
  let routes: { method: string; path: string }[] = [];
  beforeAll(async () => {
    t = await buildTestApp();
    const spec = (await t.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path: path.replace(/\{(\w+)\}/g, ':$1') })),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('sees the routes of every route group', () => {
    const paths = routes.map((r) => r.path);
    for (const p of ['/v1/conversations/:id/turns', '/v1/threads/:id/draft', '/v1/widgets/:id', '/healthz', '/metrics']) expect(paths).toContain(p);
  });

  it('has a table row for every route: | METHOD | `path` |', () => {
    const missing = routes.filter((r) => !api.includes(`| ${r.method} | \`${r.path}\` |`));
    expect(missing).toEqual([]);
  });

  it('documents every route the server answers, including those the OpenAPI document hides (docs, studio)', () => {
    // printRoutes draws the router's tree: a label per line, its depth given by where "── " starts.
    const tree = t.app.printRoutes({ commonPrefix: false }).split('\n');
    const parents: string[] = [];
    const served: string[] = [];
    for (const line of tree) {
      const at = line.indexOf('── ');
      if (at < 0) continue;
      const depth = Math.round(at / 4);
      const [, label = '', methods = ''] = /^(.*?) \(([A-Z, ]+)\)$/.exec(line.slice(at + 3)) ?? [];
      parents.length = depth;
      const path = `${parents.join('')}${label}`;
      parents.push(label);
      for (const m of methods.split(', ').filter((x) => x !== 'HEAD')) served.push(`${m} ${path.replace(/\/$/, '') || '/'}`);
    }
    expect(served).toContain('GET /docs/json');
    // The page's own static files are one row (`/docs/static/*`), the studio's are `/studio`.
    const covered = (route: string) => {
      const [method, path] = route.split(' ') as [string, string];
      if (path.startsWith('/docs/static/')) return api.includes('| GET | `/docs/static/*` |');
      if (path.startsWith('/studio')) return api.includes('| GET | `/studio` |');
      if (path === '/docs/*') return api.includes('| GET | `/docs/static/*` |');
      return api.includes(`| ${method} | \`${path}\` |`);
    };
    expect(served.filter((r) => !covered(r))).toEqual([]);
  });

  it('documents /openapi.json and /docs, which the OpenAPI document hides', () => {
    expect(api).toContain('| GET | `/openapi.json` |');
    expect(api).toContain('| GET | `/docs` |');
  });
});

describe('docs/operations.md', () => {
  const ops = readFileSync('docs/operations.md', 'utf8');
  // The env map is private to config.ts; its lines are `  NAME: 'setting',`.
  const envMap = [...readFileSync('src/http/config.ts', 'utf8').matchAll(/^\s+([A-Z_]+): '(\w+)',$/gm)].map((m) => ({ env: m[1]!, key: m[2]! }));
  const defaults = loadConfig({});

  it('reads the env map of config.ts', () => {
    expect(envMap.map((e) => e.key).sort()).toEqual(Object.keys(ConfigSchema.shape).sort());
  });

  it.each(Object.keys(ConfigSchema.shape))('documents the setting `%s` with its variable and default', (key) => {
    const env = envMap.find((e) => e.key === key)!.env;
    const row = ops.split('\n').find((l) => l.startsWith(`| \`${key}\` | \`${env}\` |`));
    expect(row, `a row | \`${key}\` | \`${env}\` | in docs/operations.md`).toBeDefined();
    const value = (defaults as Record<string, unknown>)[key];
    const documented = row!.split('|')[3]!;
    // A list default is written as JSON (`[]`), not as String([]), which is empty.
    const shown = Array.isArray(value) ? JSON.stringify(value) : String(value);
    expect(documented).toContain(`\`${shown.replace(/^data\//, '<dataDir>/')}\``);
  });

  it('says to turn off generated secrets in production', () => {
    expect(ops).toContain('THREADGATE_GENERATE_SECRETS=false');
  });
});
