// `threadgate validate [dir]`: schema, compile and lint checks over a rules folder, for authors and CI.
import { parseArgs } from 'node:util';
import { processIo, type CliIo } from './io.ts';
import { colourer } from './colors.ts';

const HELP = `threadgate validate [dir|file] [--json] [--strict]

Checks every thread and widget file under dir (default $THREADGATE_RULES or ./rules): YAML syntax, the schema,
references (steps, facts, slots, conditions, templates) and lint checks (unreachable steps, dead ends, loops
without an ask, shadowed branches, negations over facts that may be missing, ...). See docs/cli.md.

Prints one finding per line as "file:line:col severity code: message", then a summary.

Options:
  --json     print {ok, files, threads, widgets, errors, warnings, findings} as JSON instead
  --strict   warnings fail too
  -h, --help show this help

Exit codes: 0 no errors (and, with --strict, no warnings); 1 errors found; 2 bad usage or unreadable path.
`;

export async function runValidate(args: string[], io: CliIo = processIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { json: { type: 'boolean' }, strict: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    io.stderr.write(`threadgate validate: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 1) {
    io.stderr.write(`threadgate validate: one folder or file at most, got ${positionals.length}\n\n${HELP}`);
    return 2;
  }
  const path = positionals[0] ?? io.env.THREADGATE_RULES ?? 'rules';
  // Imported here, not at the top: the linter loads the compiler and the schemas, which --help does not need.
  const [{ formatFinding }, { BadPathError, lintPath }] = await Promise.all([import('../lint/index.ts'), import('../lint/lint-dir.ts')]);
  let report;
  try {
    report = await lintPath(path);
  } catch (err) {
    if (!(err instanceof BadPathError)) throw err;
    io.stderr.write(`threadgate validate: ${err.message}\n`);
    return 2;
  }
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const ok = errors === 0 && (!values.strict || warnings === 0);
  if (values.json) {
    const { files, threads, widgets, findings } = report;
    io.stdout.write(`${JSON.stringify({ ok, files: files.length, threads, widgets, errors, warnings, findings }, null, 2)}\n`);
  } else {
    const colour = colourer(io.stdout, io.env);
    for (const f of report.findings) io.stdout.write(`${colour(formatFinding(f))}\n`);
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    const scope = `${plural(report.files.length, 'file')} (${plural(report.threads, 'thread')}, ${plural(report.widgets, 'widget')})`;
    if (report.files.length === 0) io.stdout.write(`no rules files (.yaml, .yml, .json) under ${path}\n`);
    io.stdout.write(`${colour(`${ok ? 'ok' : 'failed'}: ${scope}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`)}\n`);
  }
  return ok ? 0 : 1;
}
