// Coverage branches are the studio graph's edges (same ids, ends and kinds), and replayed traces hit the branches they took.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompiledThread } from '../../src/core/compile.ts';
import { loadSource } from '../../src/core/load.ts';
import { loadRulesDir } from '../../src/rules/load-rules-dir.ts';
import { coveragePercent, meetsCoverage, threadBranches, threadCoverage } from '../../src/replay/coverage.ts';
import { coverageOfRuns } from '../../src/replay/coverage-of-runs.ts';
import { replayTranscriptFile, tracesOf } from '../../src/replay/run-transcript.ts';
import { threadGraph } from '../../src/studio/graph/model.ts';

const FIXTURE = 'test/replay/fixtures/branch-coverage';

/** Every thread file of a rules folder, compiled, with its text. */
async function threadsOf(dir: string): Promise<{ name: string; thread: CompiledThread; source: string }[]> {
  const rules = await loadRulesDir(dir);
  return Promise.all([...rules.threads.values()].map(async (thread) => ({ name: thread.file!, thread, source: await readFile(thread.file!, 'utf8') })));
}

/** Threads written for the edge cases: JSON text, every handler in reverse schema order, plain handlers, onFail without next. */
const INLINE: Record<string, string> = {
  'all handlers, reversed': `kind: thread
id: reversed
start: a
on:
  message: a
  token_rejected: b
  conflict: [{ name: other person, when: { fact: profile.match, operator: equal, value: conflict }, goto: b }, { goto: a }]
  cleared: a
  identified: b
  authenticated: [{ when: { fact: auth.trusted, operator: equal, value: true }, goto: b }]
steps:
  a:
    ask: { slot: x, type: yes_no, onFail: b, maxAttempts: 1 }
  b:
    next: a
`,
  'json text': JSON.stringify({
    kind: 'thread',
    id: 'json',
    start: 's',
    on: { identified: 't', authenticated: 's' },
    steps: { t: { next: [{ name: 'yes', when: { fact: 'auth.trusted', operator: 'equal', value: true }, goto: 's' }, { name: 'no', goto: 't' }] }, s: { say: 'hi' } },
  }),
};

async function allThreads() {
  const inline = Object.entries(INLINE).map(([name, source]) => {
    const loaded = loadSource(source, name);
    if (loaded.kind !== 'thread') throw new Error(`${name} is not a thread`);
    return { name, thread: loaded.thread, source };
  });
  return [...(await threadsOf('rules')), ...(await threadsOf(join(FIXTURE, 'rules'))), ...inline];
}

describe('threadBranches', () => {
  it('lists exactly the edges of the studio graph, with the same ids, ends and kinds', async () => {
    const threads = await allThreads();
    expect(threads.map((t) => t.thread.id)).toEqual(expect.arrayContaining(['returns', 'triage', 'reversed', 'json']));
    for (const { name, thread, source } of threads) {
      const graph = threadGraph(source);
      if (!graph.ok) throw new Error(`${name}: ${graph.error}`);
      const missing = new Set(graph.graph.missing);
      const edges = graph.graph.edges.filter((e) => !missing.has(e.to)).map((e) => ({ id: e.id, step: e.from, to: e.to, kind: e.kind }));
      const branches = threadBranches(thread, source).map((b) => ({ id: b.id, step: b.step, to: b.to, kind: b.kind }));
      expect(new Set(branches.map((b) => b.id)), name).toEqual(new Set(edges.map((e) => e.id)));
      expect(branches, name).toEqual(edges);
    }
  });

  it('describes each branch of the example thread: step, index, name, target and kind', async () => {
    const [returns] = await threadsOf('rules');
    const branches = threadBranches(returns!.thread, returns!.source);
    expect(branches).toHaveLength(42);
    expect(branches.slice(0, 4)).toEqual([
      { id: 'greet>0', step: 'greet', index: 0, name: 'authenticated customer', to: 'greet_trusted', kind: 'next' },
      { id: 'greet>1', step: 'greet', index: 1, name: 'identified, not verified', to: 'greet_identified', kind: 'next' },
      { id: 'greet>2', step: 'greet', index: 2, name: 'visitor', to: 'greet_visitor', kind: 'default' },
      { id: 'greet_trusted>0', step: 'greet_trusted', index: 0, name: null, to: 'ask_topic', kind: 'next' },
    ]);
    expect(branches.find((b) => b.kind === 'on_fail')).toEqual({ id: 'order_number>fail', step: 'order_number', index: null, name: null, to: 'agent', kind: 'on_fail' });
    // File order of `on` (conflict before cleared), not the schema's.
    expect(branches.filter((b) => b.kind === 'handler').map((b) => b.id)).toEqual([
      'on.authenticated>0',
      'on.authenticated>1',
      'on.identified>0',
      'on.identified>1',
      'on.conflict>0',
      'on.conflict_after_handoff>0',
      'on.cleared>0',
      'on.token_rejected>0',
      'on.message>0',
      'on.agent_message>0',
    ]);
  });
});

describe('threadCoverage', () => {
  it('counts the branches the replayed turns took: step branches, onFail and handlers', async () => {
    const [triage] = await threadsOf(join(FIXTURE, 'rules'));
    const runs = await Promise.all(['orders-then-sign-in', 'fails-twice', 'signed-in-other'].map((n) => replayTranscriptFile(join(FIXTURE, 'transcripts', `${n}.yaml`))));
    expect(runs.map((r) => r.result.ok)).toEqual([true, true, true]);
    const c = threadCoverage(triage!.thread, triage!.source, runs.flatMap((r) => tracesOf(r.result)));
    expect(Object.fromEntries(c.branches.map((b) => [b.id, b.hits]))).toEqual({
      'greet>0': 1,
      // The visitor starts twice more, and on.message leads back to greet once.
      'greet>1': 3,
      'topic>0': 1,
      'topic>1': 1,
      'topic>fail': 1,
      'thanks>0': 1,
      'on.message>0': 1,
      'on.authenticated>0': 1,
      'on.authenticated>1': 0,
    });
    expect({ total: c.total, covered: c.covered }).toEqual({ total: 9, covered: 8 });
    expect(coverageOfRuns(runs)).toEqual([{ ...c, rules: join(FIXTURE, 'rules'), transcripts: 3 }]);
  });

  it('counts a transcript that starts anywhere (start.at, start.slots) on the thread as written, not on the changed copy it ran', async () => {
    const run = await replayTranscriptFile('test/conversations/start-at-order-number.yaml');
    expect(run.result.ok).toBe(true);
    expect(run.thread!.source).toBe(await readFile('rules/threads/returns.yaml', 'utf8'));
    const c = threadCoverage(run.thread!.thread, run.thread!.source, tracesOf(run.result));
    expect(c.branches.some((b) => b.step.startsWith('x-'))).toBe(false);
    expect(c.branches.filter((b) => b.hits > 0).map((b) => b.id)).toEqual(['order_number>0', 'order_details>0', 'order_answer>1']);
  });

  it('compares percentages without rounding, and a thread without branches is fully covered', () => {
    expect(meetsCoverage({ total: 3, covered: 2 }, 66.7)).toBe(false);
    expect(meetsCoverage({ total: 3, covered: 2 }, 66.6)).toBe(true);
    expect(meetsCoverage({ total: 0, covered: 0 }, 100)).toBe(true);
    expect(coveragePercent({ total: 0, covered: 0 })).toBe(100);
    expect(coveragePercent({ total: 40, covered: 37 })).toBe(92.5);
  });
});
