// Service configuration and API keys: clear start-up errors, a fresh install is never open.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ThreadgateError } from '../../src/core/errors.ts';
import { ApiKeyring, loadOrCreateApiKeys } from '../../src/http/api-keys.ts';
import { loadConfig } from '../../src/http/config.ts';

describe('loadConfig', () => {
  it('has safe defaults under ./data', () => {
    expect(loadConfig({})).toMatchObject({ host: '127.0.0.1', port: 8080, database: join('data', 'threadgate.db'), apiKeysFile: join('data', 'api-keys.json'), generateSecrets: true });
  });

  it('reads the environment over a config file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-config-'));
    const file = join(dir, 'threadgate.yaml');
    await writeFile(file, 'port: 9000\ndataDir: /srv/tg\nlogLevel: warn\n');
    const c = loadConfig({ THREADGATE_CONFIG: file, PORT: '9100', THREADGATE_GENERATE_SECRETS: 'false' });
    expect(c).toMatchObject({ port: 9100, dataDir: '/srv/tg', database: '/srv/tg/threadgate.db', logLevel: 'warn', generateSecrets: false });
  });

  it('names every bad setting and where it came from', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-config-'));
    const file = join(dir, 'c.json');
    await writeFile(file, JSON.stringify({ prot: 1, logLevel: 'loud' }));
    let err: unknown;
    try {
      loadConfig({ THREADGATE_CONFIG: file, PORT: 'eighty' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ThreadgateError);
    const messages = (err as ThreadgateError).issues.map((i) => i.message).join('\n');
    expect((err as ThreadgateError).code).toBe('config_invalid');
    expect(messages).toContain('environment variable PORT');
    expect(messages).toContain('unknown setting(s) prot');
    expect(messages).toContain(`${file}: logLevel`);
    expect(() => loadConfig({ THREADGATE_CONFIG: join(dir, 'missing.yaml') })).toThrow(/Cannot read THREADGATE_CONFIG/);
  });
});

describe('lookup settings', () => {
  it('are off by default: no host allowed, no private addresses', () => {
    expect(loadConfig({})).toMatchObject({ lookupAllowHosts: [], lookupAllowPrivate: false });
  });

  it('read a comma-separated allow list and the private switch from the environment', () => {
    const c = loadConfig({ THREADGATE_LOOKUP_ALLOW_HOSTS: ' orders.example.com, *.api.example.com ,', THREADGATE_LOOKUP_ALLOW_PRIVATE: 'true' });
    expect(c).toMatchObject({ lookupAllowHosts: ['orders.example.com', '*.api.example.com'], lookupAllowPrivate: true });
  });

  it('refuse a URL where a host name belongs, naming the variable', () => {
    expect(() => loadConfig({ THREADGATE_LOOKUP_ALLOW_HOSTS: 'https://orders.example.com/v1' })).toThrow(/THREADGATE_LOOKUP_ALLOW_HOSTS/);
  });
});

describe('API keys', () => {
  it('a first start writes one strong key per role, readable by the owner only, and reuses them after', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'tg-keys-')), 'data', 'api-keys.json');
    const first = await loadOrCreateApiKeys(file);
    expect(first.created).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const { keys } = JSON.parse(await readFile(file, 'utf8')) as { keys: { role: string; key: string }[] };
    expect(keys.map((k) => k.role)).toEqual(['runtime', 'admin', 'identity']);
    for (const k of keys) expect(k.key).toMatch(/^tg_[a-z]+_[A-Za-z0-9_-]{43}$/);
    const again = await loadOrCreateApiKeys(file);
    expect(again.created).toBe(false);
    expect(again.keyring.check(keys[1]!.key)).toEqual({ id: 'admin-1', role: 'admin' });
    expect(again.keyring.check(`${keys[1]!.key}x`)).toBeNull();
  });

  it('refuses a broken keys file with a clear error', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'tg-keys-')), 'api-keys.json');
    await writeFile(file, JSON.stringify({ keys: [{ id: 'a', role: 'root', key: 'short' }] }));
    await expect(loadOrCreateApiKeys(file)).rejects.toMatchObject({ code: 'config_invalid' });
  });

  it('checks every key, so the answer time does not depend on which key matched', () => {
    const ring = new ApiKeyring([
      { id: 'a', role: 'runtime', key: 'a'.repeat(40) },
      { id: 'b', role: 'admin', key: 'b'.repeat(40) },
    ]);
    expect(ring.check('b'.repeat(40))).toEqual({ id: 'b', role: 'admin' });
    expect(ring.check('')).toBeNull();
  });
});
