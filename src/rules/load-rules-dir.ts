// Reads every thread and widget file under a folder and compiles them into one checked rule set.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ThreadgateError, isThreadgateError, type ErrorIssue } from '../core/errors.ts';
import type { CompiledThread } from '../core/compile.ts';
import type { CompiledWidget } from '../core/compile-widget.ts';
import { loadSource } from '../core/load.ts';

export interface RuleSet {
  threads: ReadonlyMap<string, CompiledThread>;
  widgets: ReadonlyMap<string, CompiledWidget>;
}

const RULE_FILE = /\.(ya?ml|json)$/i;

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && RULE_FILE.test(e.name) && !e.name.endsWith('.schema.json'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Loads a rules folder; every problem in every file is reported at once, with file and line. */
export async function loadRulesDir(dir: string): Promise<RuleSet> {
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch (err) {
    throw new ThreadgateError('io_error', `Cannot read rules folder "${dir}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const issues: ErrorIssue[] = [];
  const threads = new Map<string, CompiledThread>();
  const widgets = new Map<string, CompiledWidget>();
  const origin = new Map<string, string>();
  for (const path of files) {
    const file = relative(process.cwd(), path) || path;
    try {
      const loaded = loadSource(await readFile(path, 'utf8'), file);
      const [map, id] = loaded.kind === 'thread' ? [threads as Map<string, unknown>, loaded.thread.id] : [widgets as Map<string, unknown>, loaded.widget.id];
      const key = `${loaded.kind}:${id}`;
      if (map.has(id)) {
        issues.push({ code: 'duplicate_id', message: `${loaded.kind} "${id}" is already defined in ${origin.get(key)}`, file, id, field: 'id' });
        continue;
      }
      origin.set(key, file);
      map.set(id, loaded.kind === 'thread' ? loaded.thread : loaded.widget);
    } catch (err) {
      if (!isThreadgateError(err)) throw err;
      issues.push(...err.issues.map((i) => ({ ...i, file: i.file ?? file })));
    }
  }
  // A thread that failed to compile is already reported; its widgets need not say it is missing too.
  const failed = new Set(issues.map((i) => i.id).filter((id): id is string => Boolean(id)));
  for (const w of widgets.values()) {
    if (!threads.has(w.thread) && !failed.has(w.thread)) {
      issues.push({ code: 'widget_thread_unknown', message: `widget "${w.id}" runs thread "${w.thread}", which is not defined (threads: ${[...threads.keys()].join(', ') || 'none'})`, ...(w.file ? { file: w.file } : {}), id: w.id, field: 'thread' });
    }
  }
  if (issues.length) throw ThreadgateError.fromIssues(issues);
  return { threads, widgets };
}
