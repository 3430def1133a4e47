// `threadgate test [dir|file...]`: replays transcripts, prints a readable summary (or JSON), exits 0 when all pass.
import { stat } from 'node:fs/promises';
import { transcriptsIn } from '../replay/find-transcripts.ts';
import type { TranscriptRun } from '../replay/run-transcript.ts';
import { processIo, type CliIo } from './io.ts';
import { colourer } from './colors.ts';

const HELP = `threadgate test [dir|file ...] [--rules <dir>] [--json] [--coverage] [--min-coverage <percent>]

Replays conversation transcripts (*.yaml) through the runtime on an in-memory store and checks
their expectations. dir defaults to test/conversations; folders are searched recursively.

Options:
  --rules <dir>               rules folder for transcripts without setup.rules (default rules)
  --json                      print the results as JSON on stdout
  --coverage                  after the report, the branch coverage of each thread the transcripts ran,
                              with every branch no transcript took
  --min-coverage <percent>    fail when a thread's branch coverage is under this (0-100); implies --coverage
  -h, --help                  show this help

Exit code: 0 all transcripts passed (and every thread reached --min-coverage), 1 a transcript failed or
could not be read, or a thread is under --min-coverage, 2 usage error.
`;

/** Long runs show progress on stderr, so a CI log shows life without cluttering the report on stdout. */
const PROGRESS_AFTER_FILES = 20;
const PROGRESS_AFTER_MS = 2000;

function usage(io: CliIo, message: string): number {
  io.stderr.write(`threadgate test: ${message}\n\n${HELP}`);
  return 2;
}

/** A percentage as people write it: `80`, `72.5` or `80%`, from 0 to 100. */
export function parsePercent(text: string | undefined): number | null {
  const m = text === undefined ? null : /^(\d{1,3}(?:\.\d+)?)%?$/.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : null;
}

export async function runTest(args: string[], io: CliIo = processIo()): Promise<number> {
  const paths: string[] = [];
  let json = false;
  let coverage = false;
  let minCoverage: number | null = null;
  let rulesDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') {
      io.stdout.write(HELP);
      return 0;
    } else if (a === '--json') json = true;
    else if (a === '--coverage') coverage = true;
    else if (a === '--min-coverage') {
      const value = args[++i];
      minCoverage = parsePercent(value);
      if (minCoverage === null) return usage(io, value === undefined ? '--min-coverage needs a percentage (0-100)' : `--min-coverage must be a percentage from 0 to 100, like 80 or 72.5; got "${value}"`);
      coverage = true;
    } else if (a === '--rules') {
      rulesDir = args[++i];
      if (!rulesDir) return usage(io, '--rules needs a folder');
    } else if (a.startsWith('-')) return usage(io, `unknown option ${a}`);
    else paths.push(a);
  }
  if (paths.length === 0) paths.push('test/conversations');
  if (rulesDir !== undefined && !(await stat(rulesDir).then((s) => s.isDirectory(), () => false))) return usage(io, `rules folder not found: ${rulesDir}`);
  const files: string[] = [];
  for (const p of paths) {
    try {
      files.push(...(await transcriptsIn(p)));
    } catch {
      return usage(io, `no such file or folder: ${p}`);
    }
  }
  if (files.length === 0) return usage(io, `no transcripts (*.yaml) in ${paths.join(', ')}`);

  // Imported here, not at the top: the replay pulls in the runtime and SQLite, which --help and bad usage do not need.
  const [{ formatResult, formatSummary }, { replayTranscriptFile }, { coverageOfRuns }, { belowMinimum, belowMinimumLine, formatCoverage }] = await Promise.all([
    import('../replay/report.ts'),
    import('../replay/run-transcript.ts'),
    import('../replay/coverage-of-runs.ts'),
    import('../replay/coverage-report.ts'),
  ]);
  const started = performance.now();
  const runs: TranscriptRun[] = [];
  // On a terminal the progress line rewrites itself; in a CI log each update is its own line.
  const tty = Boolean(io.stderr.isTTY);
  let shown = false;
  let lastShown = 0;
  for (const [i, file] of files.entries()) {
    runs.push(await replayTranscriptFile(file, rulesDir !== undefined ? { rulesDir } : {}));
    const now = performance.now();
    const long = files.length > PROGRESS_AFTER_FILES || now - started > PROGRESS_AFTER_MS;
    // At most one update a second (and the last one), so a CI log gets a handful of lines, not one per file.
    if (long && (now - lastShown >= 1000 || i === files.length - 1)) {
      shown = true;
      lastShown = now;
      io.stderr.write(`${tty ? '\r' : ''}[${i + 1}/${files.length}] ${runs.filter((x) => !x.result.ok).length} failed${tty ? '' : '\n'}`);
    }
  }
  if (shown && tty) io.stderr.write('\n');
  const ms = performance.now() - started;
  const results = runs.map((r) => r.result);
  const covered = coverage ? coverageOfRuns(runs) : null;
  const below = covered && minCoverage !== null ? belowMinimum(covered, minCoverage) : [];
  const ok = results.every((r) => r.ok) && below.length === 0;
  if (json) {
    const min = minCoverage !== null ? { minCoverage: { percent: minCoverage, below: below.map((c) => ({ threadId: c.threadId, rules: c.rules })) } } : {};
    io.stdout.write(`${JSON.stringify({ ok, durationMs: Math.round(ms), results, ...(covered ? { coverage: covered, ...min } : {}) }, null, 2)}\n`);
  } else {
    const failed = results.filter((r) => !r.ok);
    const lines = results.filter((r) => r.ok).map(formatResult);
    if (failed.length) lines.push('', ...failed.map(formatResult));
    const tail = covered ? `\n\n${formatCoverage(covered)}${below.length ? `\n\n${below.map((c) => `FAIL ${belowMinimumLine(c, covered, minCoverage!)}`).join('\n')}` : ''}` : '';
    const colour = colourer(io.stdout, io.env);
    io.stdout.write(colour(`${lines.join('\n')}\n\n${formatSummary(results, ms)}${tail}\n`));
  }
  return ok ? 0 : 1;
}
