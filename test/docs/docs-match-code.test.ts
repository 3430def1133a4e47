// The docs stay true to the code: every schema field, error code, notice and fact path is documented.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUTH_CONFIG_ERROR_CODES, RULE_ERROR_CODES } from '../../src/core/errors.ts';
import { FACT_CATALOGUE } from '../../src/core/facts.ts';
import { jsonSchemas } from '../../src/json-schemas.ts';
import { NOTICE_CODES, TURN_ERROR_CODES } from '../../src/core/outputs.ts';
import { EVENT_TYPES } from '../../src/core/events.ts';

const doc = (name: string) => readFileSync(`docs/${name}`, 'utf8');

/** Every property name anywhere in a JSON Schema, except inside the jwt block (docs/jwt.md covers it). */
function propertyNames(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) schema.forEach((s) => propertyNames(s, out));
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'properties' && v && typeof v === 'object') {
        for (const [name, sub] of Object.entries(v)) {
          if (name === 'jwt') continue;
          out.add(name);
          propertyNames(sub, out);
        }
      } else propertyNames(v, out);
    }
  }
  return out;
}

function factPaths(spec: unknown, prefix: string, out: string[] = []): string[] {
  if (spec === 'leaf' || spec === 'open') out.push(prefix);
  else for (const [k, v] of Object.entries(spec as object)) factPaths(v, `${prefix}.${k}`, out);
  return out;
}

describe('docs/threads.md', () => {
  const text = doc('threads.md');
  const schemas = jsonSchemas();

  it.each([...propertyNames(schemas.thread), ...propertyNames(schemas.widget)])('documents the field `%s`', (name) => {
    // Written alone (`name`) or inside a dotted path (`limits.maxAutoSteps`, `form.fields[]`).
    expect(text).toMatch(new RegExp(`\`(?:[\\w.\\[\\]-]*\\.)?${name}(?:[.\\[][^\`]*)?\``));
  });

  it.each([...RULE_ERROR_CODES])('documents the compile error `%s`', (code) => {
    expect(text).toContain(`\`${code}\``);
  });

  it.each(Object.entries(FACT_CATALOGUE).flatMap(([k, v]) => factPaths(v, k)))('documents the fact `%s`', (path) => {
    expect(text).toContain(`\`${path}\``);
  });
});

describe('docs/concepts.md', () => {
  const text = doc('concepts.md');
  it.each([...NOTICE_CODES, ...TURN_ERROR_CODES])('documents the outcome `%s`', (code) => {
    expect(text).toContain(`\`${code}\``);
  });
  it.each(EVENT_TYPES)('documents the event `%s`', (type) => {
    expect(text).toContain(`\`${type}\``);
  });
});

describe('docs/jwt.md', () => {
  it.each([...AUTH_CONFIG_ERROR_CODES])('documents the configuration error `%s`', (code) => {
    expect(doc('jwt.md')).toContain(`\`${code}\``);
  });
});

describe('docs/schema', () => {
  it.each(Object.entries(jsonSchemas()))('%s.schema.json is up to date (run `npx threadgate schema`)', (name, schema) => {
    expect(JSON.parse(readFileSync(`docs/schema/${name}.schema.json`, 'utf8'))).toEqual(schema);
  });
});
