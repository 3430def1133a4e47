// The client compiles on its own: at run time it imports nothing outside src/client, and its route table is the service's.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/client/routes.ts';
import { OPERATIONS } from '../../src/http/operation-ids.ts';

const dir = 'src/client';
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

/** Every import or re-export statement of a file, with whether it is type-only and what it names. */
function imports(source: string): { typeOnly: boolean; from: string; text: string }[] {
  const found = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+['"]([^'"]+)['"]/gms;
  for (const m of source.matchAll(statement)) found.push({ typeOnly: Boolean(m[2]), from: m[4]!, text: m[0].trim() });
  // Side-effect imports (`import 'x'`) and dynamic ones load code too.
  for (const m of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push({ typeOnly: false, from: m[1]!, text: m[0].trim() });
  for (const m of source.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]/g)) found.push({ typeOnly: false, from: m[1]!, text: m[0].trim() });
  return found;
}

describe('the client stands alone', () => {
  it('imports at run time only its own files (./x.ts); the rest of src and zod only as types', () => {
    expect(files).toContain('index.ts');
    for (const file of files) {
      const source = readFileSync(`${dir}/${file}`, 'utf8');
      for (const i of imports(source)) {
        if (i.typeOnly) continue;
        expect({ file, import: i.text, ok: /^\.\/[\w-]+\.ts$/.test(i.from) }).toEqual({ file, import: i.text, ok: true });
      }
      // A value import mixed with type names (`import { type A, b }`) still loads its module: refused above unless local.
      expect(source).not.toMatch(/\brequire\s*\(/);
    }
  });

  it('the check sees what it must refuse', () => {
    const bad = imports("import { z } from 'zod';\nimport type { A } from '../x.ts';\nimport './side.ts';\nexport { b } from '../http/app.ts';");
    expect(bad.filter((i) => !i.typeOnly).map((i) => i.from)).toEqual(['zod', '../http/app.ts', './side.ts']);
  });

  it('names one method per documented route, at the same method and path', () => {
    const service = Object.fromEntries(Object.entries(OPERATIONS).map(([key, op]) => [op.id, key]));
    const client = Object.fromEntries(Object.entries(ROUTES).map(([id, r]) => [id, `${r.method} ${r.path}`]));
    expect(client).toEqual(service);
  });
});

describe('docs/client.md', () => {
  const text = readFileSync('docs/client.md', 'utf8');
  it('names every client-side code and the default resend bounds', async () => {
    const { CLIENT_ERROR_CODES } = await import('../../src/client/result.ts');
    const { DEFAULT_RETRY } = await import('../../src/client/retry.ts');
    for (const code of CLIENT_ERROR_CODES) expect(text).toContain(`\`${code}\``);
    expect(DEFAULT_RETRY).toEqual({ retries: 3, baseDelayMs: 100, maxDelayMs: 2000 });
    expect(text).toContain('at most 3 times');
    expect(text).toContain('between 0 and 100,\n  200, 400 ms (full jitter, capped at 2 s)');
  });
});
