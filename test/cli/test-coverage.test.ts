// `threadgate test --coverage / --min-coverage`: real numbers on the example rules and transcripts, exactly the branch a set misses, usage errors.
import { describe, expect, it } from 'vitest';
import { threadgate } from './helpers.ts';

const FIXTURE = 'test/replay/fixtures/branch-coverage';

/** The coverage part of the report: everything after the summary line. */
const coveragePart = (stdout: string) => stdout.slice(stdout.search(/\n\d+ passed, \d+ failed, \d+ transcripts/)).split('\n').slice(3).join('\n');

describe('threadgate test --coverage', () => {
  it('prints per thread the branches covered and each branch no transcript took, for the examples and a second thread', async () => {
    const r = await threadgate(['test', 'test/conversations', `${FIXTURE}/transcripts`, '--coverage']);
    expect(r.code).toBe(0);
    expect(coveragePart(r.stdout)).toBe(
      [
        'returns: 39/42 branches covered (92.8%)',
        '  ask_topic_again → menu  (branch "understood", #0)',
        '  order_number → agent  (onFail)',
        '  return_confirm → anything_else  (default branch #1)',
        'triage: 8/9 branches covered (88.8%)',
        '  on.authenticated → greet  (branch #1)',
        '',
      ].join('\n'),
    );
  });

  it('--min-coverage fails (exit 1) naming the thread under it, and passes at the exact share', async () => {
    const under = await threadgate(['test', 'test/conversations', `${FIXTURE}/transcripts`, '--min-coverage', '90']);
    expect(under.code).toBe(1);
    const fails = under.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
    expect(fails).toEqual(['FAIL coverage of thread "triage" is 88.8% (8/9 branches), under --min-coverage 90%']);
    // --min-coverage alone prints the coverage too.
    expect(under.stdout).toContain('returns: 39/42 branches covered (92.8%)');
    const exact = await threadgate(['test', 'test/conversations', '--min-coverage', `${(39 / 42) * 100}%`]);
    expect(exact.code).toBe(0);
    expect(exact.stdout).not.toMatch(/^FAIL/m);
  });

  it('reports exactly the branch a set of transcripts misses, and nothing once another transcript takes it', async () => {
    const missing = await threadgate(['test', `${FIXTURE}/transcripts`, '--coverage']);
    expect(missing.code).toBe(0);
    expect(coveragePart(missing.stdout)).toBe('triage: 8/9 branches covered (88.8%)\n  on.authenticated → greet  (branch #1)\n');
    const full = await threadgate(['test', `${FIXTURE}/transcripts`, `${FIXTURE}/extra`, '--min-coverage', '100']);
    expect(full.code).toBe(0);
    expect(coveragePart(full.stdout)).toBe('triage: 9/9 branches covered (100%)\n');
  });

  it('puts the coverage and the threshold in the --json output', async () => {
    const r = await threadgate(['test', 'test/conversations', `${FIXTURE}/transcripts`, '--json', '--min-coverage', '90']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      coverage: { threadId: string; rules: string; total: number; covered: number; transcripts: number; branches: { id: string; hits: number }[] }[];
      minCoverage: { percent: number; below: { threadId: string; rules: string }[] };
    };
    expect(out.ok).toBe(false);
    expect(out.coverage.map(({ threadId, rules, total, covered, transcripts }) => ({ threadId, rules, total, covered, transcripts }))).toEqual([
      { threadId: 'returns', rules: 'rules', total: 42, covered: 39, transcripts: 37 },
      { threadId: 'triage', rules: `${FIXTURE}/rules`, total: 9, covered: 8, transcripts: 3 },
    ]);
    expect(out.coverage[0]!.branches.filter((b) => b.hits === 0).map((b) => b.id)).toEqual(['ask_topic_again>0', 'order_number>fail', 'return_confirm>1']);
    expect(out.minCoverage).toEqual({ percent: 90, below: [{ threadId: 'triage', rules: `${FIXTURE}/rules` }] });
  });

  it('refuses a missing or bad --min-coverage with a usage error (exit 2), and documents both options', async () => {
    for (const [args, message] of [
      [['--min-coverage'], '--min-coverage needs a percentage (0-100)'],
      [['--min-coverage', 'most'], '--min-coverage must be a percentage from 0 to 100, like 80 or 72.5; got "most"'],
      [['--min-coverage', '101'], 'got "101"'],
      [['--min-coverage', '-5'], 'got "-5"'],
    ] as const) {
      const r = await threadgate(['test', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    }
    const help = await threadgate(['test', '--help']);
    expect(help.stdout).toContain('--coverage');
    expect(help.stdout).toContain('--min-coverage <percent>');
    expect((await threadgate(['--help'])).stdout).toMatch(/test \[dir\].*--coverage/);
  });
});
