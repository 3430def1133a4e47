// parseSource's bounds on size, depth and aliases: plain yaml_invalid issues, never a parser's internal error.
import { describe, expect, it } from 'vitest';
import { isThreadgateError } from '../../src/core/errors.ts';
import { MAX_ALIAS_COUNT, MAX_SOURCE_CHARS, MAX_SOURCE_DEPTH, parseSource } from '../../src/core/load.ts';

function refusal(text: string): { code: string; message: string; line?: number } {
  try {
    parseSource(text, 'f.yaml');
  } catch (err) {
    if (!isThreadgateError(err)) throw err;
    expect(err.issues).toHaveLength(1);
    return err.issues[0]!;
  }
  throw new Error('parsed');
}

describe('parseSource bounds', () => {
  it('refuses a file over MAX_SOURCE_CHARS before parsing it', () => {
    const issue = refusal(`kind: thread\n# ${'x'.repeat(MAX_SOURCE_CHARS)}\n`);
    expect(issue).toMatchObject({ code: 'yaml_invalid', line: 1 });
    expect(issue.message).toMatch(/at most 1048576/);
  });

  it('takes nesting up to MAX_SOURCE_DEPTH and refuses one level more, at its line', () => {
    const at = (depth: number) => `kind: thread\nx: ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}\n`;
    expect(() => parseSource(at(MAX_SOURCE_DEPTH))).not.toThrow();
    expect(refusal(at(MAX_SOURCE_DEPTH + 1))).toMatchObject({ code: 'yaml_invalid', line: 2 });
  });

  it.each([2_000, 20_000])('refuses %i levels without the stack-overflow text', (depth) => {
    const issue = refusal(`kind: thread\nx: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    expect(issue.message).toMatch(/deeper than 64 levels/);
    expect(issue.message).not.toMatch(/call stack/i);
  });

  it(`allows a few aliases and refuses an alias bomb (over ${MAX_ALIAS_COUNT} expansions) in plain words`, () => {
    expect(() => parseSource(`a: &a [1]\nb: [${Array(20).fill('*a').join(',')}]\n`)).not.toThrow();
    const issue = refusal(`a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [${Array(10).fill('*a').join(',')}]\nc: [${Array(10).fill('*b').join(',')}]\n`);
    expect(issue.message).toMatch(/aliases expand too far \(more than 100 alias uses\)/);
    expect(issue.message).not.toMatch(/resource exhaustion/);
  });
});
