// `threadgate graph <thread>`: draws a thread as a Mermaid flowchart (or a plain SVG) for review.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CompiledThread } from '../core/compile.ts';
import { formatIssue, isThreadgateError } from '../core/errors.ts';
import { processIo, type CliIo } from './io.ts';
import { threadToMermaid } from './thread-mermaid.ts';
import { threadToSvg } from './thread-svg.ts';

const HELP = `threadgate graph <thread-id | widget-id | file> [--rules <dir>] [--format mermaid|svg] [--out <file>]

Prints a flowchart of a thread: steps as nodes (id, first say, ask, actions), \`next\` branches as edges
labelled with their condition (named conditions by name, branch names first), default branches "else",
onFail and \`on\` handler edges dashed. A widget id draws the thread the widget runs.

Options:
  --rules <dir>      rules folder to look the id up in (default $THREADGATE_RULES or ./rules)
  --format <f>       mermaid (default) or svg (a simple layered drawing, no browser needed)
  --out <file>       write to a file instead of stdout
  -h, --help         show this help

Exit codes: 0 drawn; 1 the rules do not compile; 2 bad usage, unknown id or unreadable file.
`;

class UsageError extends Error {}

async function findThread(target: string, rulesDir: string): Promise<CompiledThread> {
  // Imported here, not at the top: the loaders pull in the compiler and the schemas, which --help does not need.
  const [{ loadSource }, { loadRulesDir }] = await Promise.all([import('../core/load.ts'), import('../rules/load-rules-dir.ts')]);
  const isFile = await stat(target).then((s) => s.isFile(), () => false);
  if (isFile) {
    const loaded = loadSource(await readFile(target, 'utf8'), target);
    if (loaded.kind === 'thread') return loaded.thread;
    target = loaded.widget.thread;
  }
  const rules = await loadRulesDir(rulesDir);
  const thread = rules.threads.get(target) ?? rules.threads.get(rules.widgets.get(target)?.thread ?? '');
  if (!thread) {
    throw new UsageError(`no thread or widget "${target}" in ${rulesDir} (threads: ${[...rules.threads.keys()].join(', ') || 'none'}; widgets: ${[...rules.widgets.keys()].join(', ') || 'none'})`);
  }
  return thread;
}

export async function runGraph(args: string[], io: CliIo = processIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { rules: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    io.stderr.write(`threadgate graph: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const format = values.format ?? 'mermaid';
  if (positionals.length !== 1 || !['mermaid', 'svg'].includes(format)) {
    io.stderr.write(`threadgate graph: ${positionals.length !== 1 ? 'give one thread id, widget id or file' : `--format must be mermaid or svg, not "${format}"`}\n\n${HELP}`);
    return 2;
  }
  try {
    const thread = await findThread(positionals[0]!, values.rules ?? io.env.THREADGATE_RULES ?? 'rules');
    const text = format === 'svg' ? threadToSvg(thread) : threadToMermaid(thread);
    if (values.out) {
      await writeFile(values.out, text);
      io.stderr.write(`wrote ${values.out}\n`);
    } else io.stdout.write(text);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`threadgate graph: ${err.message}\n`);
      return 2;
    }
    if (isThreadgateError(err)) {
      io.stderr.write(`threadgate graph: ${err.issues.map(formatIssue).join('\n')}\n`);
      return err.code === 'io_error' ? 2 : 1;
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code) {
      io.stderr.write(`threadgate graph: ${e.message}\n`);
      return 2;
    }
    throw err;
  }
}
