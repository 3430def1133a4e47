// Packs the package (npm pack), installs the tarball into a temporary project offline and uses it there as a user would: plain node, the bin, tsc.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const repoPackage = JSON.parse(readFileSync('package.json', 'utf8'));

/** What each subpath exports at run time, by name: a name added or dropped must be a decision, made here. */
const EXPORTS: Record<string, string[]> = {
  threadgate: [
    'CallerEventSchema', 'CallerTurnEventSchema', 'ERROR_CODES', 'JwtSettingsSchema', 'LINT_CODES', 'MemoryProfileDirectory', 'StartRequestSchema',
    'TOKEN_REJECTION_REASONS', 'ThreadgateError', 'capabilitiesOf', 'compile', 'compileWidget', 'createTokenVerifier', 'evaluateTurn',
    'formatFinding', 'formatIssue', 'initialState', 'isThreadgateError', 'jsonSchemas', 'lintThread', 'lintWidget', 'loadRulesDir', 'loadSource',
    'parseSource', 'resolveJwtSettings', 'runTurn', 'signUserIdentity',
  ],
  'threadgate/server': [
    'API_ROLES', 'ApiKeyring', 'ConfigSchema', 'PostgresStore', 'RulesRegistry', 'STORE_ERROR_CODES', 'SqliteStore', 'StoreError', 'build',
    'createIdentityIssuer', 'loadConfig', 'loadOrCreateApiKeys', 'newApiKey', 'openPostgresStore', 'openSqliteStore', 'pruneKeyRing', 'publicJwks',
    'rotateKeyRing', 'serveForever', 'startServer',
  ],
  'threadgate/testing': ['transcriptTests'],
  'threadgate/client': ['CLIENT_ERROR_CODES', 'DEFAULT_RETRY', 'createClient', 'isClientError'],
};

/** A consumer's TypeScript file: compiled with tsc against the installed declarations only. */
const CONSUMER_TS = `import { compile, evaluateTurn, loadRulesDir, type TurnResult, type CompiledThread } from 'threadgate';
import { build, openSqliteStore, loadConfig, type Store } from 'threadgate/server';
import { transcriptTests } from 'threadgate/testing';
import { createClient, type TurnAnswer as ClientTurn } from 'threadgate/client';
export const thread: (input: unknown) => CompiledThread = compile;
export const used = [evaluateTurn, loadRulesDir, build, openSqliteStore, loadConfig, transcriptTests, createClient];
export type Answers = [TurnResult, Store, ClientTurn['outputs'][number]['type']];
`;

let work: string;
let project: string;
let files: string[];

function run(cmd: string, args: string[], cwd: string): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '', npm_config_update_notifier: 'false' }, timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'threadgate-pack-'));
  // dist/ is fresh (test/global-setup.ts built it); --ignore-scripts skips prepare, which would rebuild the studio.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }));
  const tarball = join(work, packed[0].filename as string);
  files = (packed[0].files as { path: string }[]).map((f) => f.path).sort();

  // The temporary project's lockfile is the repository's production tree (dev entries dropped) plus the tarball, so
  // `npm ci --offline` installs from the npm cache that the repository's own `npm ci` filled: no network, here or in CI.
  project = join(work, 'project');
  mkdirSync(project);
  const packedManifest = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  const { dependencies, bin, engines, license, version, peerDependencies, peerDependenciesMeta } = packedManifest;
  const lockPackages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { threadgate: `file:${tarball}` } },
    'node_modules/threadgate': { version, resolved: `file:${tarball}`, license, dependencies, bin, engines, peerDependencies, peerDependenciesMeta },
  };
  const repoLock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (path !== '' && !entry.dev) lockPackages[path] = entry;
  }
  // Overrides apply to the root project only: a consumer on Node 20 sets the same ones (docs/api.md says so).
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { threadgate: `file:${tarball}` }, overrides: repoPackage.overrides }));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages: lockPackages }));
  const install = run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], project);
  if (install.code !== 0) throw new Error(`npm ci of the packed tarball failed:\n${install.out}`);
  // vitest is an optional peer dependency of threadgate/testing, and @types/* are what a TypeScript user installs: the repository's.
  symlinkSync(join(ROOT, 'node_modules/vitest'), join(project, 'node_modules/vitest'));
  mkdirSync(join(project, 'node_modules/@types'), { recursive: true });
  for (const t of ['node', 'better-sqlite3', 'pg']) symlinkSync(join(ROOT, 'node_modules/@types', t), join(project, 'node_modules/@types', t));
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

// Under load (2 cores shared) tsc and a cold import of fastify take longer than the default 20 s.
describe('the packed package', { timeout: 60_000 }, () => {
  it('holds the compiled code, its declarations, the built studio and the bin, and no sources, tests or build state', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'bin/threadgate.js', 'dist/index.js', 'dist/index.d.ts', 'dist/server-api.js', 'dist/cli/main.js', 'dist/cli/usage.js', 'dist/cli/usage.d.ts', 'dist/replay/vitest.js', 'dist/client/index.js', 'dist/studio/index.html']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|bench|rules|docs)\//.test(f) || f.includes('tsbuildinfo') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  });

  it('installs without tsx: the runtime never needs it', () => {
    expect(existsSync(join(project, 'node_modules/threadgate/package.json'))).toBe(true);
    expect(existsSync(join(project, 'node_modules/tsx'))).toBe(false);
  });

  it('each subpath imports with plain node and exports exactly its listed names', () => {
    const script = `const out = {}; for (const s of ${JSON.stringify(Object.keys(EXPORTS))}) out[s] = Object.keys(await import(s)).sort(); console.log(JSON.stringify(out));`;
    const r = run(process.execPath, ['--input-type=module', '-e', script], project);
    expect(r.code, r.out).toBe(0);
    const seen = JSON.parse(r.out) as Record<string, string[]>;
    for (const [subpath, names] of Object.entries(EXPORTS)) expect(seen[subpath], subpath).toEqual([...names].sort());
  });

  it('refuses deep imports of the sources and of dist/', () => {
    const r = run(process.execPath, ['--input-type=module', '-e', "await import('threadgate/dist/index.js')"], project);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('runs the installed bin: --version, and validate on the example rules', () => {
    const bin = join(project, 'node_modules/.bin/threadgate');
    const version = run(bin, ['--version'], project);
    expect(version).toEqual({ code: 0, out: `${repoPackage.version}\n` });
    const validate = run(bin, ['validate', join(ROOT, 'rules')], project);
    expect(validate.out).toMatch(/^ok: \d+ files .*0 errors/m);
    expect(validate.code).toBe(0);
  });

  it('the overridden content-disposition and cookie (Node 20 versions) work where fastify uses them: downloads and inject cookies', () => {
    const script = `import { createRequire } from 'node:module';
const require = createRequire(import.meta.resolve('threadgate/server'));
const app = require('fastify')();
await app.register(require('@fastify/static'), { root: process.cwd(), serve: false });
app.get('/dl', (req, reply) => reply.download('package.json', 'naïve file.json'));
app.get('/c', (req) => ({ cookie: req.headers.cookie }));
console.log((await app.inject({ url: '/dl' })).headers['content-disposition']);
console.log((await app.inject({ url: '/c', cookies: { a: 'b c' } })).body);`;
    const r = run(process.execPath, ['--input-type=module', '-e', script], project);
    expect(r.out).toBe(`attachment; filename="na?ve file.json"; filename*=UTF-8''na%C3%AFve%20file.json\n{"cookie":"a=b%20c"}\n`);
    const installed = (path: string) => JSON.parse(readFileSync(join(project, 'node_modules', path, 'package.json'), 'utf8')).version;
    expect([installed('@fastify/static/node_modules/content-disposition'), installed('light-my-request/node_modules/cookie')]).toEqual([repoPackage.overrides['content-disposition'], repoPackage.overrides.cookie]);
  });

  it("type-checks a consumer's file against the installed declarations (strict, library checks on)", () => {
    writeFileSync(join(project, 'consumer.ts'), CONSUMER_TS);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2023', 'ESNext.Disposable'], strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, files: ['consumer.ts'] }));
    const r = run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], project);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);
});
