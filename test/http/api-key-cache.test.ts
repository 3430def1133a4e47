// The API key check's memory of accepted keys: positives only, bounded, and a rotated-out key refused by the keyring that replaced it.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_KEY_CACHE_MAX, ApiKeyring, loadOrCreateApiKeys } from '../../src/http/api-keys.ts';
import { build } from '../../src/http/app.ts';
import { RulesRegistry } from '../../src/runtime/rules-registry.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';

const OLD = 'tg_runtime_old_key_0123456789abcdefghijklmnopqrstuvwxyz';
const NEW = 'tg_runtime_new_key_0123456789abcdefghijklmnopqrstuvwxyz';

describe('ApiKeyring memory of accepted keys', () => {
  it('answers the same principal from memory and remembers refused keys never', () => {
    const ring = new ApiKeyring([{ id: 'runtime-1', role: 'runtime', key: OLD }]);
    expect(ring.check(OLD)).toEqual({ id: 'runtime-1', role: 'runtime' });
    expect(ring.check(OLD)).toEqual({ id: 'runtime-1', role: 'runtime' });
    expect(ring.remembered).toBe(1);
    for (let i = 0; i < 1000; i++) expect(ring.check(`${NEW}-${i}`)).toBeNull();
    expect(ring.remembered).toBe(1);
  });

  it('stays bounded however many valid keys are used', () => {
    const keys = Array.from({ length: API_KEY_CACHE_MAX + 10 }, (_, i) => ({ id: `k${i}`, role: 'runtime' as const, key: `${OLD}-${i}` }));
    const ring = new ApiKeyring(keys);
    for (const k of keys) expect(ring.check(k.key)?.id).toBe(k.id);
    expect(ring.remembered).toBeLessThanOrEqual(API_KEY_CACHE_MAX);
    for (const k of keys) expect(ring.check(k.key)?.id).toBe(k.id);
  });

  it('a key rotated out of the keys file is refused by the service that loads the new file, though the old keyring had it in memory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-keys-'));
    const file = join(dir, 'api-keys.json');
    const write = (key: string) => writeFile(file, JSON.stringify({ keys: [{ id: 'runtime-1', role: 'runtime', key }] }), { mode: 0o600 });
    const serve = async () => {
      const store = await openSqliteStore({ path: ':memory:' });
      const registry = new RulesRegistry(store, {});
      const app = await build({ store, registry, keyring: (await loadOrCreateApiKeys(file)).keyring, clock: () => new Date(), newId: () => 'x' });
      const status = async (key: string) => (await app.inject({ method: 'GET', url: '/v1/conversations/none', headers: { authorization: `Bearer ${key}` } })).statusCode;
      return { status, close: async () => (await app.close(), await store.close()) };
    };
    await write(OLD);
    const before = await serve();
    expect(await before.status(OLD)).toBe(404);
    expect(await before.status(OLD)).toBe(404);
    expect(await before.status(NEW)).toBe(401);
    await before.close();
    await write(NEW);
    const after = await serve();
    expect(await after.status(OLD)).toBe(401);
    expect(await after.status(NEW)).toBe(404);
    await after.close();
  });
});
