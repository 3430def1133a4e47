// Real `threadgate serve` processes on loopback ports, sharing one PostgreSQL schema, a data folder and secrets.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG_URL } from '../store/postgres-env.ts';

export const RUNTIME_KEY = 'tg_runtime_multi_instance_0123456789abcdefghijklmnopqrstuvwxyz';
/** For the tests that change rules through one instance while the other serves turns. */
export const ADMIN_KEY = 'tg_admin_multi_instance_0123456789abcdefghijklmnopqrstuvwxyz0';
export const SHOP_SECRET = 'multi-instance:Zq8vN2xR7mL4pT9wK3sD6fH1jB5cY0gA';

export interface Instance {
  url: string;
  child: ChildProcess;
  output: () => string;
}

/** A data folder with the API keys written up front: two instances starting at once must not both generate them. */
export async function sharedDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tg-multi-'));
  const keys = [
    { id: 'runtime-1', role: 'runtime', key: RUNTIME_KEY },
    { id: 'admin-1', role: 'admin', key: ADMIN_KEY },
  ];
  await writeFile(join(dir, 'api-keys.json'), JSON.stringify({ keys }), { mode: 0o600 });
  return dir;
}

/** Starts one instance and resolves with its URL once it listens. */
export function serve(schema: string, dataDir: string, children: ChildProcess[]): Promise<Instance> {
  const child = spawn(process.execPath, ['bin/threadgate.js', 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: PG_URL,
      THREADGATE_DATABASE_SCHEMA: schema,
      THREADGATE_DATABASE_POOL_MAX: '4',
      THREADGATE_DATA_DIR: dataDir,
      PORT: '0',
      THREADGATE_LOG_LEVEL: 'warn',
      THREADGATE_RATE_LIMIT_PER_MINUTE: '1000000',
      THREADGATE_GENERATE_SECRETS: 'false',
      SHOP_JWT_SECRET: SHOP_SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child, output: () => out });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}`));
    });
  });
}

export async function call(url: string, method: 'GET' | 'POST', body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; replayed: boolean }> {
  const r = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${RUNTIME_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, body: await r.json(), replayed: r.headers.get('idempotent-replay') === 'true' };
}

/** Sends a request until it is not a 409 version_conflict (what a bot runtime does), with the same Idempotency-Key. */
export async function untilSettled(send: () => Promise<{ status: number; body: any; replayed: boolean }>): Promise<{ status: number; body: any; replayed: boolean; tries: number }> {
  for (let tries = 1; ; tries++) {
    const r = await send();
    if (r.status !== 409 || tries >= 50) return { ...r, tries };
    await new Promise((res) => setTimeout(res, Math.random() * 10));
  }
}

/** Stops every instance a test started with SIGTERM and waits for each to exit, so the next file finds no server. */
export async function stopAll(children: ChildProcess[]): Promise<void> {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null) continue;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  }
}
