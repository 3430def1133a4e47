// The registry's widget and active-thread caches on real SQLite: no rules row read while the generation holds, the change served once it moves.
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RulesRegistry } from '../../src/runtime/rules-registry.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import type { RulesRepository, Store } from '../../src/store/store.port.ts';
import { auth, buildTestApp, SHOP_SECRET, startConversation, T0, type TestApp } from '../http/helpers.ts';

const NOW = new Date(T0).toISOString();

/** The real store with its rules reads counted: what the cache saves is visible as calls not made. */
function counted(store: Store): { store: Pick<Store, 'rules'>; reads: Record<string, number> } {
  const reads: Record<string, number> = {};
  const rules = new Proxy(store.rules, {
    get(target, name, receiver) {
      const v = Reflect.get(target, name, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        reads[String(name)] = (reads[String(name)] ?? 0) + 1;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as RulesRepository;
  return { store: { rules }, reads };
}

describe('RulesRegistry caches (SQLite)', () => {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) await o.close();
  });

  async function setup() {
    const store = await openSqliteStore({ path: ':memory:' });
    opened.push(store);
    await new RulesRegistry(store, { SHOP_JWT_SECRET: SHOP_SECRET }).seedFromDir('rules', NOW);
    const { store: view, reads } = counted(store);
    return { store, registry: new RulesRegistry(view, { SHOP_JWT_SECRET: SHOP_SECRET }), reads };
  }

  it('reads a widget row once per generation, and again (compiled anew) after it changed', async () => {
    const { store, registry, reads } = await setup();
    const g0 = await store.rules.generation();
    const first = await registry.widget('shop-visitor', g0);
    expect(await registry.widget('shop-visitor', g0)).toBe(first);
    expect(await registry.widget('shop-visitor', g0)).toBe(first);
    expect(reads.getWidget).toBe(1);
    const source = (await readFile('rules/widgets/shop-visitor.yaml', 'utf8')).replace('?next=/help', '?next=/other');
    await store.rules.putWidget('shop-visitor', source, NOW);
    const g1 = await store.rules.generation();
    expect(g1).toBeGreaterThan(g0);
    const changed = await registry.widget('shop-visitor', g1);
    expect(reads.getWidget).toBe(2);
    expect(changed?.widget.loginUrl).toBe('https://shop.example.com/login?next=/other');
    expect(first?.widget.loginUrl).toBe('https://shop.example.com/login?next=/help');
  });

  it('keeps the compiled widget when another rule changed (same source), but reads its row again', async () => {
    const { store, registry, reads } = await setup();
    const first = await registry.widget('shop-visitor', await store.rules.generation());
    await store.rules.deleteWidget('shop-form');
    expect(await registry.widget('shop-visitor', await store.rules.generation())).toBe(first);
    expect(reads.getWidget).toBe(2);
  });

  it('answers null for a deleted widget at the next generation, never the cached one', async () => {
    const { store, registry } = await setup();
    expect(await registry.widget('shop-visitor', await store.rules.generation())).not.toBeNull();
    await store.rules.deleteWidget('shop-visitor');
    expect(await registry.widget('shop-visitor', await store.rules.generation())).toBeNull();
    // Without a generation from the caller it reads one itself.
    expect(await registry.widget('shop-visitor')).toBeNull();
  });

  it('caches the active thread version per generation: publish and rollback are served at the next one', async () => {
    const { store, registry, reads } = await setup();
    const g0 = await store.rules.generation();
    expect((await registry.activeThread('returns', g0))?.version).toBe(1);
    expect((await registry.activeThread('returns', g0))?.version).toBe(1);
    expect(reads.getActiveThreadVersion).toBe(1);
    await store.rules.putThreadDraft('returns', `${await readFile('rules/threads/returns.yaml', 'utf8')}\n# v2\n`, NOW);
    await store.rules.publishThread('returns', NOW);
    expect((await registry.activeThread('returns', await store.rules.generation()))?.version).toBe(2);
    await store.rules.activateThreadVersion('returns', 1);
    expect((await registry.activeThread('returns', await store.rules.generation()))?.version).toBe(1);
    expect(reads.getActiveThreadVersion).toBe(3);
  });
});

describe('the turn path on SQLite', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('answers with the replaced widget, then refuses the deleted one, right after the admin route answered', async () => {
    t = await buildTestApp();
    const id = await startConversation(t, { widgetId: 'shop-visitor' });
    const turn = () => t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: { type: 'message', text: 'hi' } });
    expect((await turn()).json().capabilities.loginUrl).toBe('https://shop.example.com/login?next=/help');
    const source = (await readFile('rules/widgets/shop-visitor.yaml', 'utf8')).replace('?next=/help', '?next=/changed');
    expect((await t.app.inject({ method: 'PUT', url: '/v1/widgets/shop-visitor', headers: auth('admin'), payload: { source } })).statusCode).toBe(200);
    expect((await turn()).json().capabilities.loginUrl).toBe('https://shop.example.com/login?next=/changed');
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/widgets/shop-visitor', headers: auth('admin') })).statusCode).toBe(204);
    const refused = await turn();
    expect(refused.statusCode).toBe(404);
    expect(refused.json().code).toBe('widget_not_found');
  });
});
