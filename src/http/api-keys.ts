// API keys with roles: generated on first start, compared in constant time, never logged.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ThreadgateError } from '../core/errors.ts';

export const API_ROLES = ['runtime', 'admin', 'identity'] as const;
export type ApiRole = (typeof API_ROLES)[number];

const KeysFileSchema = z
  .object({
    keys: z
      .array(z.object({ id: z.string().min(1).max(64), role: z.enum(API_ROLES), key: z.string().min(32).max(200) }).strict())
      .min(1),
  })
  .strict();

export interface ApiPrincipal {
  id: string;
  role: ApiRole;
}

/** One-shot SHA-256 (no Hash object per call): half the cost of createHash on the per-request path. */
const digest = (key: string): Buffer => hash('sha256', key, 'buffer') as unknown as Buffer;

/** How many accepted keys the keyring remembers; past it the memory starts over, so no caller can grow it. */
export const API_KEY_CACHE_MAX = 256;

/**
 * Holds key digests only; checking a candidate compares against every key, so timing says nothing about
 * which key is near. Keys it accepted are remembered by digest (positives only, bounded): the keyring is
 * immutable, so a remembered key is one it still holds, and a rotated or revoked key (a new keys file, a new
 * keyring) is refused at once.
 */
export class ApiKeyring {
  private readonly entries: { id: string; role: ApiRole; digest: Buffer }[];
  private readonly accepted = new Map<string, ApiPrincipal>();

  constructor(keys: { id: string; role: ApiRole; key: string }[]) {
    this.entries = keys.map((k) => ({ id: k.id, role: k.role, digest: digest(k.key) }));
  }

  /** The principal for a bearer key, or null. */
  check(candidate: string): ApiPrincipal | null {
    const d = digest(candidate);
    const memo = d.toString('base64');
    const known = this.accepted.get(memo);
    if (known) return known;
    let found: ApiPrincipal | null = null;
    for (const e of this.entries) if (timingSafeEqual(d, e.digest) && !found) found = { id: e.id, role: e.role };
    if (found) {
      if (this.accepted.size >= API_KEY_CACHE_MAX) this.accepted.clear();
      this.accepted.set(memo, Object.freeze(found));
    }
    return found;
  }

  /** How many accepted keys are remembered (for tests: refused keys never are). */
  get remembered(): number {
    return this.accepted.size;
  }
}

export function newApiKey(role: ApiRole): string {
  return `tg_${role}_${randomBytes(32).toString('base64url')}`;
}

/**
 * Loads the keys file, or creates it with one key per role (mode 0600) when it does not exist, so a fresh
 * install is never open. `created` is true when the file was just written.
 */
export async function loadOrCreateApiKeys(file: string): Promise<{ keyring: ApiKeyring; created: boolean; file: string }> {
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ThreadgateError('config_invalid', `Cannot read API keys file "${file}": ${(err as Error).message}`);
  }
  if (text === null) {
    const keys = API_ROLES.map((role) => ({ id: `${role}-1`, role, key: newApiKey(role) }));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return { keyring: new ApiKeyring(keys), created: true, file };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ThreadgateError('config_invalid', `API keys file "${file}" is not JSON: ${(err as Error).message}`);
  }
  const result = KeysFileSchema.safeParse(parsed);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new ThreadgateError('config_invalid', `API keys file "${file}": ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'} (each key: { id, role: runtime|admin|identity, key: 32+ characters })`);
  }
  return { keyring: new ApiKeyring(result.data.keys), created: false, file };
}
