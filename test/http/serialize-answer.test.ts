// The answer serializer: parse gives what encode gave (no codecs in any answer schema), and a drifting answer is still a 500.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { auth, buildTestApp } from './helpers.ts';

const SCHEMA_DIR = join(import.meta.dirname, '../../src/http/schemas');
/** zod types whose parse and encode directions differ. */
const ONE_WAY = new Set(['transform', 'pipe', 'default', 'prefault', 'catch', 'codec', 'success']);

/** Every zod type reachable from `root` (object shapes, arrays, unions, wrappers, lazies), each once. */
function reachable(root: z.ZodType): string[] {
  const seen = new Set<unknown>();
  const types: string[] = [];
  const visit = (v: unknown): void => {
    if (v instanceof z.ZodType) {
      if (seen.has(v)) return;
      seen.add(v);
      const def = (v as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
      types.push(def.type);
      for (const [k, field] of Object.entries(def)) visit(k === 'getter' && typeof field === 'function' ? (field as () => unknown)() : field);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object' && !(v instanceof RegExp)) Object.values(v).forEach(visit);
  };
  visit(root);
  return types;
}

describe('answer serializer', () => {
  it('no answer schema has a type whose encode differs from its parse', async () => {
    const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    let schemas = 0;
    for (const f of files) {
      const mod = (await import(join(SCHEMA_DIR, f))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) {
        if (!(value instanceof z.ZodType)) continue;
        schemas += 1;
        const oneWay = reachable(value).filter((t) => ONE_WAY.has(t));
        expect(oneWay, `${f}: ${name}`).toEqual([]);
      }
    }
    expect(schemas).toBeGreaterThan(20);
  });

  it('the walker sees one-way types where there are some (so the test above can fail)', () => {
    expect(reachable(z.object({ a: z.array(z.string().transform((s) => s.length)) }))).toContain('pipe');
    expect(reachable(z.object({ a: z.union([z.number(), z.string().default('x')]) }))).toContain('default');
  });

  it('answers a drifting answer with 500 internal, not with the drifted body', async () => {
    const t = await buildTestApp();
    try {
      // A route of the real app whose handler returns a value its schema refuses.
      const schema = z.strictObject({ ok: z.boolean() });
      t.app.get('/drift-probe', { schema: { response: { 200: schema } }, config: { public: true } as never }, async () => ({ ok: 'yes', secret: 's3' }) as never);
      await t.app.ready();
      const r = await t.app.inject({ method: 'GET', url: '/drift-probe', headers: auth('admin') });
      expect(r.statusCode).toBe(500);
      expect(r.json().code).toBe('internal');
      expect(r.body).not.toContain('s3');
    } finally {
      await t.close();
    }
  });
});
