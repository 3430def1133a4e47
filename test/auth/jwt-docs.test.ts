// docs/jwt.md stays true to the code: its jwt examples parse, its tables list every field, reason and code.
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { JwtKeySchema, JwtSettingsSchema, TOKEN_REJECTION_REASONS } from '../../src/auth/index.ts';
import { AUTH_CONFIG_ERROR_CODES } from '../../src/core/errors.ts';

const doc = readFileSync(new URL('../../docs/jwt.md', import.meta.url), 'utf8');
const lines = doc.split('\n');

/** The yaml blocks marked `<!-- check: jwt -->`, de-indented (some sit inside list items). */
function jwtBlocks(): string[] {
  const blocks: string[] = [];
  lines.forEach((line, index) => {
    if (line.trim() !== '<!-- check: jwt -->') return;
    const fence = lines[index + 1] ?? '';
    expect(fence.trim()).toBe('```yaml');
    const indent = fence.length - fence.trimStart().length;
    const body: string[] = [];
    for (const next of lines.slice(index + 2)) {
      if (next.trim() === '```') break;
      body.push(next.slice(indent));
    }
    blocks.push(body.join('\n'));
  });
  return blocks;
}

/** First-column backticked names of the table that follows a heading or intro line. */
function tableNames(after: string): string[] {
  const start = lines.findIndex((line) => line.includes(after));
  expect(start, after).toBeGreaterThanOrEqual(0);
  const names: string[] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('|')) {
      inTable = true;
      const match = /^\| `([^`]+)` \|/.exec(line);
      if (match) names.push(match[1]!);
    } else if (inTable) {
      break;
    }
  }
  return names;
}

describe('docs/jwt.md', () => {
  it('every jwt example is valid settings', () => {
    const blocks = jwtBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) {
      const parsed = JwtSettingsSchema.safeParse((parse(block) as { jwt: unknown }).jwt);
      expect(parsed.success, block).toBe(true);
    }
  });

  it('documents every settings field and every key field', () => {
    expect(tableNames('`jwksUrl`, or both.').sort()).toEqual(Object.keys(JwtSettingsSchema.shape).sort());
    expect(tableNames('Each entry of `keys`').sort()).toEqual(Object.keys(JwtKeySchema.shape).sort());
  });

  it('lists every rejection reason, in order', () => {
    expect(tableNames('## Rejection reasons')).toEqual([...TOKEN_REJECTION_REASONS]);
  });

  it('lists every configuration error code', () => {
    expect(tableNames('## Configuration errors').sort()).toEqual([...AUTH_CONFIG_ERROR_CODES].sort());
  });
});
