// Test helpers for the HTTP service: an app on in-memory SQLite with the example rules, known keys and a clock.
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { signUserIdentity } from '../../src/auth/index.ts';
import { build, type BuildOptions } from '../../src/http/app.ts';
import { ApiKeyring } from '../../src/http/api-keys.ts';
import { RulesRegistry } from '../../src/runtime/rules-registry.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import type { Store } from '../../src/store/store.port.ts';

export const SHOP_SECRET = 'test-secret:Zq8vN2xR7mL4pT9wK3sD6fH1jB5cY0gA';
export const KEYS = {
  runtime: 'tg_runtime_test_key_0123456789abcdefghijklmnopqrstuvwxyz',
  admin: 'tg_admin_test_key_0123456789abcdefghijklmnopqrstuvwxyz',
  identity: 'tg_identity_test_key_0123456789abcdefghijklmnopqrstuvwxyz',
} as const;
export const T0 = Date.parse('2026-11-23T10:00:00Z');

export const auth = (role: keyof typeof KEYS) => ({ authorization: `Bearer ${KEYS[role]}` });

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  registry: RulesRegistry;
  clock: { now: number; advance(seconds: number): void };
  close: () => Promise<void>;
}

/** Builds the real app on in-memory SQLite, seeded from rules/; the clock only moves when the test moves it. */
export async function buildTestApp(overrides: Partial<BuildOptions> & { logger?: FastifyServerOptions['logger']; store?: Store; rulesDir?: string } = {}): Promise<TestApp> {
  const { rulesDir = 'rules', ...options } = overrides;
  const store = options.store ?? (await openSqliteStore({ path: ':memory:' }));
  const registry = new RulesRegistry(store, { SHOP_JWT_SECRET: SHOP_SECRET });
  await registry.seedFromDir(rulesDir, new Date(T0).toISOString());
  const clock = {
    now: T0,
    advance(seconds: number) {
      this.now += seconds * 1000;
    },
  };
  let n = 0;
  const app = await build({
    store,
    registry,
    keyring: new ApiKeyring([
      { id: 'runtime-1', role: 'runtime', key: KEYS.runtime },
      { id: 'admin-1', role: 'admin', key: KEYS.admin },
      { id: 'identity-1', role: 'identity', key: KEYS.identity },
    ]),
    clock: () => new Date(clock.now),
    newId: () => `id-${++n}`,
    ...options,
  });
  return {
    app,
    store,
    registry,
    clock,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** A User Identity JWT as the example shop's backend would mint it. */
export function shopToken(email: string, at: number, opts: { ttl?: number; name?: string; secret?: string } = {}): Promise<string> {
  return signUserIdentity(
    { email, name: opts.name ?? 'Julie Doe' },
    { alg: 'HS256', secret: opts.secret ?? SHOP_SECRET, kid: 'shop-2026-11' },
    { issuer: 'https://shop.example.com', audience: 'threadgate', now: new Date(at), expiresInSeconds: opts.ttl ?? 300 },
  );
}

/** Starts a conversation as the runtime and returns its id; anything but 201 fails the test. */
export async function startConversation(t: TestApp, body: Record<string, unknown>): Promise<string> {
  const r = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: body });
  if (r.statusCode !== 201) throw new Error(`start answered ${r.statusCode}: ${r.body}`);
  return r.json().conversationId as string;
}
