// Finds transcript files: a file as given, or every *.yaml / *.yml under a folder (recursively, in name order).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Throws when the path does not exist; callers turn that into their own message. */
export async function transcriptsIn(path: string): Promise<string[]> {
  const s = await stat(path);
  if (!s.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await transcriptsIn(full)));
    else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out;
}
