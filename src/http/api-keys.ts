// API keys with roles: generated on first start, compared in constant time, never logged.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
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

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/** Holds key digests only; checking a candidate compares against every key, so timing says nothing. */
export class ApiKeyring {
  private readonly entries: { id: string; role: ApiRole; digest: Buffer }[];

  constructor(keys: { id: string; role: ApiRole; key: string }[]) {
    this.entries = keys.map((k) => ({ id: k.id, role: k.role, digest: digest(k.key) }));
  }

  /** The principal for a bearer key, or null. */
  check(candidate: string): ApiPrincipal | null {
    const d = digest(candidate);
    let found: ApiPrincipal | null = null;
    for (const e of this.entries) if (timingSafeEqual(d, e.digest) && !found) found = { id: e.id, role: e.role };
    return found;
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
