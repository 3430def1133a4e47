// A conversation whose stored state was corrupted answers 409 state_invalid, and nothing else breaks; old states still load.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { tempFolders } from '../store/temp-files.ts';
import { auth, buildTestApp, type TestApp } from './helpers.ts';

type Json = Record<string, any>;
const tempDir = tempFolders();
let t: TestApp;
let path: string;

beforeEach(async () => {
  path = join(tempDir(), 'threadgate.db');
  t = await buildTestApp({ store: await openSqliteStore({ path }) });
});
afterEach(async () => {
  await t.close();
});

async function start(): Promise<string> {
  const r = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } });
  expect(r.statusCode).toBe(201);
  return r.json().conversationId;
}
const turn = (id: string, text: string) => t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: { type: 'message', text } });
const read = (id: string) => t.app.inject({ url: `/v1/conversations/${id}`, headers: auth('runtime') });

/** Edits the stored state behind the service's back, as an operator with sqlite3 would. */
function editState(id: string, sqlExpression: string): void {
  const raw = new Database(path);
  raw.prepare(`UPDATE conversations SET state = ${sqlExpression} WHERE id = ?`).run(id);
  raw.close();
}

describe('a corrupted stored state', () => {
  it('answers 409 state_invalid to reads and turns, writes nothing, says nothing of the row, and leaves the rest working', async () => {
    const bad = await start();
    const good = await start();
    const before = await t.store.conversations.timeline(bad);
    editState(bad, "json_set(state, '$.identity.status', 'royal')");

    for (const r of [await read(bad), await turn(bad, 'hello')]) {
      expect(r.statusCode).toBe(409);
      const body: Json = r.json();
      expect(Object.keys(body).sort()).toEqual(['code', 'message', 'requestId']);
      expect(body.code).toBe('state_invalid');
      expect(r.body).not.toMatch(/royal|identity|SQLITE|StoreError/);
    }
    // Nothing of the refused turn was applied.
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT version FROM conversations WHERE id = ?').pluck().get(bad)).toBe(1);
    raw.close();
    expect(await t.store.conversations.timeline(bad)).toEqual(before);

    expect((await turn(good, 'hello')).statusCode).toBe(200);
    expect((await read(good)).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const report = await t.app.inject({ url: '/v1/reports/onboarding?from=2026-11-01&to=2026-12-01', headers: auth('admin') });
    expect(report.statusCode).toBe(200);
    expect(report.json().conversations).toBe(2);
  });

  it('reads and continues a state stored before lookups existed', async () => {
    const id = await start();
    editState(id, "json_remove(state, '$.lookups')");
    expect((await read(id)).statusCode).toBe(200);
    const r = await turn(id, 'hello');
    expect(r.statusCode).toBe(200);
    expect((await t.store.conversations.get(id))?.state.lookups).toEqual({});
  });
});
