// Crash safety and shutdown: a real server process killed under load loses no acknowledged turn; SIGTERM drains.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Starts `threadgate serve` on a free port and resolves with its URL once it listens. */
function serve(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['bin/threadgate.js', 'serve'], {
    env: { ...process.env, THREADGATE_DATA_DIR: dataDir, PORT: '0', THREADGATE_LOG_LEVEL: 'warn', THREADGATE_RATE_LIMIT_PER_MINUTE: '1000000', SHOP_JWT_SECRET: 'crash-test:Zq8vN2xR7mL4pT9wK3sD6fH1jB5cY0gA' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}`));
    });
  });
}

async function post(url: string, key: string, body: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

type Entry = { from: string; text: string };

/** Every timeline entry, paging back from the latest (a conversation's read shows only its latest page). */
async function wholeTimeline(url: string, key: string, id: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (let before: number | null | undefined; before !== null; ) {
    const q = before === undefined ? '' : `&before=${before}`;
    const r = await fetch(`${url}/v1/conversations/${id}/timeline?limit=500${q}`, { headers: { authorization: `Bearer ${key}` } });
    const page = (await r.json()) as { timeline: Entry[]; timelinePage: { hasMore: boolean; nextBefore: number | null } };
    entries.unshift(...page.timeline);
    before = page.timelinePage.hasMore ? page.timelinePage.nextBefore : null;
  }
  return entries;
}

describe('SIGKILL under load', () => {
  it('every acknowledged turn is in the database after a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tg-crash-'));
    const first = await serve(dataDir);
    const keys = JSON.parse(await readFile(join(dataDir, 'api-keys.json'), 'utf8')).keys as { role: string; key: string }[];
    const runtime = keys.find((k) => k.role === 'runtime')!.key;

    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await post(`${first.url}/v1/conversations`, runtime, { widgetId: 'shop-visitor' })).body.conversationId);
    const acked = new Map<string, { version: number; text: string }[]>();
    let stop = false;
    const workers = ids.map(async (id, w) => {
      for (let i = 0; !stop && i < 500; i++) {
        const text = `w${w}-m${i}`;
        try {
          const r = await post(`${first.url}/v1/conversations/${id}/turns`, runtime, { type: 'message', text });
          if (r.status === 200) acked.set(id, [...(acked.get(id) ?? []), { version: r.body.version, text }]);
        } catch {
          return; // the server died mid-request: this turn was never acknowledged
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    const total = [...acked.values()].reduce((n, l) => n + l.length, 0);
    expect(total).toBeGreaterThan(20);

    const second = await serve(dataDir);
    for (const [id, turns] of acked) {
      const r = await fetch(`${second.url}/v1/conversations/${id}`, { headers: { authorization: `Bearer ${runtime}` } });
      const conv = (await r.json()) as { version: number };
      const said = new Set((await wholeTimeline(second.url, runtime, id)).filter((e) => e.from === 'customer').map((e) => e.text));
      expect(conv.version).toBeGreaterThanOrEqual(Math.max(...turns.map((t) => t.version)));
      for (const t of turns) expect(said.has(t.text), `${id} lost ${t.text}`).toBe(true);
    }
    second.child.kill('SIGTERM');
  }, 60_000);
});

describe('SIGTERM', () => {
  it('finishes the turns in flight, closes the database and exits 0', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tg-term-'));
    const first = await serve(dataDir);
    const keys = JSON.parse(await readFile(join(dataDir, 'api-keys.json'), 'utf8')).keys as { role: string; key: string }[];
    const runtime = keys.find((k) => k.role === 'runtime')!.key;
    const id = (await post(`${first.url}/v1/conversations`, runtime, { widgetId: 'shop-visitor' })).body.conversationId as string;
    const exited = new Promise<number | null>((resolve) => first.child.on('exit', (code) => resolve(code)));
    const inFlight = Array.from({ length: 10 }, (_, i) => post(`${first.url}/v1/conversations/${id}/turns`, runtime, { type: 'message', text: `t${i}` }).catch(() => null));
    await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    expect(await exited).toBe(0);
    const acked = answers.filter((a) => a?.status === 200).map((a) => a!.body.version as number);
    // Whatever was acknowledged is stored; nothing half-written blocks the next start.
    const second = await serve(dataDir);
    const r = await fetch(`${second.url}/v1/conversations/${id}`, { headers: { authorization: `Bearer ${runtime}` } });
    const conv = (await r.json()) as { version: number };
    expect(conv.version).toBe(1 + acked.length);
    second.child.kill('SIGTERM');
  }, 60_000);
});
