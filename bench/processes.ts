// Child processes for the HTTP benchmarks: the real service (like test/http/crash.test.ts) and a bare fastify.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import { BENCH_DIR, ROOT, progress } from './lib.ts';

export const SHOP_SECRET = 'bench-secret:Zq8vN2xR7mL4pT9wK3sD6fH1jB5cY0gA';

export interface Child {
  url: string;
  child: ChildProcess;
  stop: () => Promise<void>;
}

function waitForUrl(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.length > 20_000) out = out.slice(-10_000);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${out}`));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 10_000).unref();
    });
}

/** The service (serveForever, as `threadgate serve`) on a free port with a very high rate limit and warn-level logs. */
export async function startService(dataDir: string, extraEnv: Record<string, string> = {}): Promise<Child & { runtimeKey: string }> {
  // BENCH_SERVICE_NODE_ARGS: extra node flags for the service only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(BENCH_DIR, 'serve.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      THREADGATE_DATA_DIR: dataDir,
      THREADGATE_RULES: join(ROOT, 'rules'),
      PORT: '0',
      HOST: '127.0.0.1',
      THREADGATE_LOG_LEVEL: 'warn',
      THREADGATE_RATE_LIMIT_PER_MINUTE: '1000000',
      SHOP_JWT_SECRET: SHOP_SECRET,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await waitForUrl(child, 'threadgate serve');
  const keys = JSON.parse(await readFile(join(dataDir, 'api-keys.json'), 'utf8')).keys as { role: string; key: string }[];
  return { url, child, stop: stopper(child), runtimeKey: keys.find((k) => k.role === 'runtime')!.key };
}

/** The baseline: a fastify process with one route that parses the same body and answers a similar JSON. */
export async function startBare(): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'bare-server.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await waitForUrl(child, 'bare fastify');
  return { url, child, stop: stopper(child) };
}

/** Resident set size of a process in bytes (Linux /proc), or null. */
export function rssOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export function shopToken(email: string, ttlSeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email, name: 'Julie Doe' })
    .setProtectedHeader({ alg: 'HS256', kid: 'shop-2026-11' })
    .setIssuer('https://shop.example.com')
    .setAudience('threadgate')
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(new TextEncoder().encode(SHOP_SECRET));
}

export async function post(url: string, key: string, body: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

/** What the signed-in return flow answers, in order, forever: menu -> order_number -> return_confirm -> anything_else -> menu. */
export const CYCLE = ['return', 'R-10234', 'no', 'yes'] as const;

export interface LoadResult {
  requests: number;
  rps: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

/**
 * autocannon against `/v1/conversations/:id/turns`. Each request takes a free conversation (one in flight per
 * conversation, so each walks CYCLE in order) and every `hotEvery`-th request goes to one shared conversation.
 */
export async function load(opts: {
  url: string;
  key: string;
  conversations: string[];
  hot: string | null;
  hotEvery: number;
  token: string;
  connections: number;
  seconds: number;
  label: string;
}): Promise<LoadResult> {
  const free = opts.conversations.map((id) => ({ id, phase: 0 }));
  let n = 0;
  const headers = { authorization: `Bearer ${opts.key}`, 'content-type': 'application/json' };
  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: any, context: any) => {
          n += 1;
          let conv: { id: string; phase: number } | null = null;
          if (opts.hot && n % opts.hotEvery === 0) conv = { id: opts.hot, phase: n };
          else conv = free.shift() ?? { id: opts.hot ?? opts.conversations[0]!, phase: n };
          context.conv = conv;
          const text = CYCLE[conv.phase % CYCLE.length];
          return { ...req, path: `/v1/conversations/${conv.id}/turns`, headers, body: JSON.stringify({ type: 'message', text, token: opts.token }) };
        },
        onResponse: (_status: number, _body: string, context: any) => {
          const conv = context.conv as { id: string; phase: number } | undefined;
          if (conv && conv.id !== opts.hot) free.push({ id: conv.id, phase: conv.phase + 1 });
        },
      },
    ],
  } as autocannon.Options);
  let seconds = 0;
  const tick = setInterval(() => progress(`${opts.label}: ${++seconds}/${opts.seconds} s`), 1000);
  const r = await instance;
  clearInterval(tick);
  return {
    requests: r.requests.total,
    rps: Math.round(r.requests.average),
    mean: r.latency.mean,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}
