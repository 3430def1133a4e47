// `threadgate test [dir|file...]`: replays transcripts, prints a readable summary (or JSON), exits 0 when all pass.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TranscriptResult } from '../replay/run-transcript.ts';
import { processIo, type CliIo } from './io.ts';

const HELP = `threadgate test [dir|file ...] [--rules <dir>] [--json]

Replays conversation transcripts (*.yaml) through the runtime on an in-memory store and checks
their expectations. dir defaults to test/conversations; folders are searched recursively.

Options:
  --rules <dir>  rules folder for transcripts without setup.rules (default rules)
  --json         print the results as JSON on stdout
  -h, --help     show this help

Exit code: 0 all transcripts passed, 1 a transcript failed or could not be read, 2 usage error.
`;

/** Long runs show progress on stderr, so a CI log shows life without cluttering the report on stdout. */
const PROGRESS_AFTER_FILES = 20;
const PROGRESS_AFTER_MS = 2000;

async function transcriptsIn(path: string): Promise<string[]> {
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

function usage(io: CliIo, message: string): number {
  io.stderr.write(`threadgate test: ${message}\n\n${HELP}`);
  return 2;
}

export async function runTest(args: string[], io: CliIo = processIo()): Promise<number> {
  const paths: string[] = [];
  let json = false;
  let rulesDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') {
      io.stdout.write(HELP);
      return 0;
    } else if (a === '--json') json = true;
    else if (a === '--rules') {
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
  const [{ formatResult, formatSummary }, { runTranscriptFile }] = await Promise.all([import('../replay/report.ts'), import('../replay/run-transcript.ts')]);
  const started = performance.now();
  const results: TranscriptResult[] = [];
  // On a terminal the progress line rewrites itself; in a CI log each update is its own line.
  const tty = Boolean(io.stderr.isTTY);
  let shown = false;
  let lastShown = 0;
  for (const [i, file] of files.entries()) {
    results.push(await runTranscriptFile(file, rulesDir !== undefined ? { rulesDir } : {}));
    const now = performance.now();
    const long = files.length > PROGRESS_AFTER_FILES || now - started > PROGRESS_AFTER_MS;
    // At most one update a second (and the last one), so a CI log gets a handful of lines, not one per file.
    if (long && (now - lastShown >= 1000 || i === files.length - 1)) {
      shown = true;
      lastShown = now;
      io.stderr.write(`${tty ? '\r' : ''}[${i + 1}/${files.length}] ${results.filter((x) => !x.ok).length} failed${tty ? '' : '\n'}`);
    }
  }
  if (shown && tty) io.stderr.write('\n');
  const ms = performance.now() - started;
  const ok = results.every((r) => r.ok);
  if (json) {
    io.stdout.write(`${JSON.stringify({ ok, durationMs: Math.round(ms), results }, null, 2)}\n`);
  } else {
    const failed = results.filter((r) => !r.ok);
    const lines = results.filter((r) => r.ok).map(formatResult);
    if (failed.length) lines.push('', ...failed.map(formatResult));
    io.stdout.write(`${lines.join('\n')}\n\n${formatSummary(results, ms)}\n`);
  }
  return ok ? 0 : 1;
}
