// A really full disk under SQLite: a 2 MiB tmpfs filled to the last block. Every answer is 503 (never 500), nothing acknowledged is lost.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { auth, buildTestApp, startConversation, type TestApp } from '../http/helpers.ts';
import { expectRefused } from './hostile.ts';

/** Mounts a tmpfs of `size` on a fresh folder, or says why it cannot (not root, no mount in this container). */
function mountTmpfs(size: string): { dir: string } | { reason: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tg-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `mount -t tmpfs is not allowed here (${String((err as Error).message).split('\n')[0]}); test/adversarial/store-faults.test.ts simulates SQLITE_FULL with max_page_count instead` };
  }
}

/** Writes a file until the file system has no block left. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [64 * 1024, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 0x61);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

const mounted = mountTmpfs('2m');
const skip = 'reason' in mounted ? mounted.reason : null;

describe.skipIf(skip !== null)(`SQLite on a full disk${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const dir = 'dir' in mounted ? mounted.dir : '';
  const filler = join(dir, 'filler');
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ store: await openSqliteStore({ path: join(dir, 'threadgate.db') }), rateLimitPerMinute: 1_000_000 });
  });
  afterAll(async () => {
    await t?.close();
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 503 store_unavailable with Retry-After while full, readiness 503, and goes on where it was once there is room', async () => {
    const id = await startConversation(t, { widgetId: 'shop-visitor' });
    const say = (text: string) => t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: { type: 'message', text } });
    expect((await say('before')).statusCode).toBe(200);
    fillDisk(filler);

    // The WAL may still have room in its last block: turns go on until one needs a block the disk does not have.
    const acknowledged = ['before'];
    let refused = 0;
    for (let i = 0; i < 200 && refused < 5; i++) {
      const r = await say(`full ${i} ${'x'.repeat(2000)}`);
      if (r.statusCode === 200) acknowledged.push(`full ${i} ${'x'.repeat(2000)}`);
      else {
        expectRefused(r, 503, 'store_unavailable');
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
        refused += 1;
      }
    }
    expect(refused).toBe(5);
    expectRefused(await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } }), 503, 'store_unavailable');
    expectRefused(await t.app.inject({ url: '/readyz' }), 503, 'not_ready');
    // Still full after the window in which failed writes alone keep it out: the probe write fails on the full disk.
    t.clock.advance(31);
    expectRefused(await t.app.inject({ url: '/readyz' }), 503, 'not_ready');
    expect((await t.app.inject({ url: '/metrics' })).body).toMatch(/threadgate_store_failures_total\{reason="SQLITE_(FULL|IOERR[A-Z_]*)"\} [1-9]/);

    unlinkSync(filler);
    expect((await say('after')).statusCode).toBe(200);
    acknowledged.push('after');
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const timeline = (await t.app.inject({ url: `/v1/conversations/${id}`, headers: auth('runtime') })).json().timeline as { from: string; text: string }[];
    // Exactly what was acknowledged: no refused turn half-written, no acknowledged one lost.
    expect(timeline.filter((e) => e.from === 'customer').map((e) => e.text)).toEqual(acknowledged);
  }, 60_000);
});
