// Coverage of one thread text by transcript texts, with widgets looked up by id (the server's stored ones): what the coverage route runs.
import type { CompiledThread } from '../core/compile.ts';
import { isThreadgateError, type ErrorIssue } from '../core/errors.ts';
import type { TurnTrace } from '../core/outputs.ts';
import { loadSource } from '../core/load.ts';
import type { CoverageTranscript, ThreadCoverage } from './coverage-answer.ts';
import { threadCoverage } from './coverage.ts';
import { parseTranscript } from './load-transcript.ts';
import { replayTranscript, tracesOf } from './run-transcript.ts';

/** Bounds, so one request cannot replay without end: the transcripts in test/conversations are under 2 KiB and 10 turns. */
export const MAX_TRANSCRIPTS = 20;
export const MAX_TRANSCRIPT_CHARS = 32 * 1024;
export const MAX_TRANSCRIPT_TURNS = 200;

export interface TranscriptText {
  /** What the answer calls it (a folder's transcripts: their path in it); without it, the transcript's own `name`. */
  name?: string;
  /** The name issues carry as `file`. */
  file: string;
  text: string;
}

export interface CoverThreadInput {
  thread: CompiledThread;
  source: string;
  transcripts: readonly TranscriptText[];
  /** The stored text of a widget, or null when there is none with this id. */
  widgetSource: (id: string) => Promise<string | null>;
  /**
   * A folder holds transcripts of every thread, so one whose widget runs another thread is left out (true);
   * transcripts sent for this thread are listed with an issue instead (false).
   */
  skipOtherThreads: boolean;
}

export interface CoverThreadResult {
  coverage: ThreadCoverage;
  transcripts: CoverageTranscript[];
}

const issue = (file: string, message: string): ErrorIssue => ({ code: 'config_invalid', message, file });
const issuesOf = (e: unknown, file: string): ErrorIssue[] =>
  isThreadgateError(e) ? e.issues.map((i) => ({ ...i, file: i.file ?? file })) : [issue(file, `the transcript could not run: ${(e as Error).message ?? String(e)}`)];

type Outcome = { skip: true } | { skip: false; entry: CoverageTranscript; traces: TurnTrace[] };

/** One transcript: read, bounded, its widget resolved, then replayed on the given thread. Never throws. */
async function coverOne(input: CoverThreadInput, t: TranscriptText): Promise<Outcome> {
  let name = t.name ?? t.file;
  const refused = (issues: ErrorIssue[]): Outcome => ({ skip: false, entry: { name, ok: false, failures: 0, issues }, traces: [] });
  try {
    if (t.text.length > MAX_TRANSCRIPT_CHARS) return refused([issue(t.file, `the transcript has ${t.text.length} characters; at most ${MAX_TRANSCRIPT_CHARS} are run`)]);
    const parsed = parseTranscript(t.text, t.file);
    if (!parsed.ok) return refused(parsed.issues);
    const transcript = parsed.loaded.transcript;
    name = t.name ?? transcript.name;
    if (transcript.turns.length > MAX_TRANSCRIPT_TURNS) return refused([issue(t.file, `the transcript has ${transcript.turns.length} turns; at most ${MAX_TRANSCRIPT_TURNS} are run`)]);
    const widgetId = transcript.setup.widget;
    const widgetText = await input.widgetSource(widgetId);
    if (widgetText === null) return refused([issue(t.file, `setup.widget: no widget "${widgetId}" is stored on this server`)]);
    const widget = loadSource(widgetText, `widget ${widgetId}`);
    if (widget.kind !== 'widget') return refused([issue(t.file, `setup.widget: "${widgetId}" is not a widget`)]);
    if (widget.widget.thread !== input.thread.id) {
      if (input.skipOtherThreads) return { skip: true };
      return refused([issue(t.file, `setup.widget: widget "${widgetId}" runs thread "${widget.widget.thread}", not "${input.thread.id}"`)]);
    }
    const run = await replayTranscript(parsed.loaded, {
      rules: { origin: 'server', threads: [{ id: input.thread.id, source: input.source }], widgets: [{ id: widgetId, source: widgetText }] },
    });
    const r = run.result;
    return { skip: false, entry: { name, ok: r.ok, failures: r.failures.length, issues: r.issues }, traces: tracesOf(r) };
  } catch (e) {
    return refused(issuesOf(e, t.file));
  }
}

/** Replays the transcripts one after the other (each on its own in-memory store) and counts their turns on the thread's branches. */
export async function coverThread(input: CoverThreadInput): Promise<CoverThreadResult> {
  const transcripts: CoverageTranscript[] = [];
  const traces: TurnTrace[] = [];
  for (const t of input.transcripts) {
    const outcome = await coverOne(input, t);
    if (outcome.skip) continue;
    transcripts.push(outcome.entry);
    traces.push(...outcome.traces);
  }
  return { coverage: threadCoverage(input.thread, input.source, traces), transcripts };
}
