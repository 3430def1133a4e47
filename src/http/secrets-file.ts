// Development secrets: HMAC secrets that widgets name by env variable, generated into the data folder when unset.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ThreadgateError } from '../core/errors.ts';
import type { CompiledWidget } from '../core/compile-widget.ts';

/** Env variable names that widgets use for HMAC secrets. */
export function secretEnvNames(widgets: Iterable<CompiledWidget>): string[] {
  const names = new Set<string>();
  for (const w of widgets) for (const k of w.jwt?.keys ?? []) if (k.secret && typeof k.secret === 'object') names.add(k.secret.env);
  return [...names].sort();
}

/**
 * Returns values for the named variables that the environment lacks, from `file`, generating and saving
 * (mode 0600) the ones the file lacks too. Values set in the environment always win.
 */
export async function fillMissingSecrets(file: string, names: string[], env: Record<string, string | undefined>): Promise<{ values: Record<string, string>; generated: string[] }> {
  const missing = names.filter((n) => !env[n]);
  if (missing.length === 0) return { values: {}, generated: [] };
  let stored: Record<string, string> = {};
  try {
    stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ThreadgateError('config_invalid', `Cannot read secrets file "${file}": ${(err as Error).message}`);
  }
  const generated = missing.filter((n) => typeof stored[n] !== 'string' || stored[n]!.length < 32);
  for (const n of generated) stored[n] = randomBytes(48).toString('base64url');
  if (generated.length) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  return { values: Object.fromEntries(missing.map((n) => [n, stored[n]!])), generated };
}
