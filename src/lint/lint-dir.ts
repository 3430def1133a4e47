// Loads a rules folder file by file (so one broken file does not hide the others) and lints what compiles.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompiledThread } from '../core/compile.ts';
import type { CompiledWidget } from '../core/compile-widget.ts';
import { isThreadgateError, type ErrorIssue } from '../core/errors.ts';
import { loadSource, parseSource } from '../core/load.ts';
import { keyLocator } from './locate.ts';
import { lintThread, lintWidget, sortFindings } from './index.ts';
import type { Finding, Locator } from './types.ts';

const RULE_FILE = /\.(ya?ml|json)$/i;

export interface LintReport {
  files: string[];
  threads: number;
  widgets: number;
  findings: Finding[];
}

/** Thrown when the path itself cannot be used (missing, unreadable, not a rules file). */
export class BadPathError extends Error {}

async function listRuleFiles(path: string): Promise<{ files: string[]; folder: boolean }> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new BadPathError(`cannot read "${path}": ${err.code === 'ENOENT' ? 'no such file or folder' : (err.code ?? err.message)}`);
  });
  if (info.isFile()) {
    if (!RULE_FILE.test(path)) throw new BadPathError(`"${path}" is not a rules file (.yaml, .yml or .json)`);
    return { files: [path], folder: false };
  }
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  const files = entries.filter((e) => e.isFile() && RULE_FILE.test(e.name) && !e.name.endsWith('.schema.json')).map((e) => join(e.parentPath, e.name)).sort();
  return { files, folder: true };
}

function issueFinding(i: ErrorIssue, file: string, locate: Locator | null, field?: (string | number)[]): Finding {
  const pos = i.line ? { line: i.line, column: i.column ?? 1 } : ((field && locate?.(field)) ?? { line: 1, column: 1 });
  return { severity: 'error', code: i.code, message: i.message, file: i.file ?? file, line: pos.line, column: pos.column, ...(i.step ? { step: i.step } : {}), ...(i.field ? { field: i.field } : {}) };
}

/** Schema, compile and lint findings for a folder (or one file); throws BadPathError for an unusable path. */
export async function lintPath(path: string): Promise<LintReport> {
  const { files: paths, folder } = await listRuleFiles(path);
  const findings: Finding[] = [];
  const threads = new Map<string, { thread: CompiledThread; locate: Locator }>();
  const widgets = new Map<string, { widget: CompiledWidget; locate: Locator }>();
  const files: string[] = [];
  /** Threads that exist but do not compile: their widgets are not also reported as running an unknown thread. */
  const brokenThreads = new Set<string>();
  for (const p of paths) {
    // Paths as the user gave them (rules/threads/x.yaml), so they can be clicked in a terminal or editor.
    const file = p;
    files.push(file);
    let text: string;
    try {
      text = await readFile(p, 'utf8');
    } catch (err) {
      findings.push({ severity: 'error', code: 'io_error', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file, line: 1, column: 1 });
      continue;
    }
    let locate: Locator | null = null;
    try {
      locate = keyLocator(text);
      const loaded = loadSource(text, file);
      const [map, id, value] = loaded.kind === 'thread' ? [threads as Map<string, unknown>, loaded.thread.id, { thread: loaded.thread, locate }] : [widgets as Map<string, unknown>, loaded.widget.id, { widget: loaded.widget, locate }];
      const prior = map.get(id) as { thread?: CompiledThread; widget?: CompiledWidget } | undefined;
      if (prior) {
        const where = (prior.thread ?? prior.widget)?.file;
        findings.push(issueFinding({ code: 'duplicate_id', message: `${loaded.kind} "${id}" is already defined in ${where}`, field: 'id' }, file, locate, ['id']));
        continue;
      }
      map.set(id, value);
    } catch (err) {
      if (!isThreadgateError(err)) throw err;
      const doc = (() => {
        try {
          return parseSource(text).doc as { kind?: unknown; id?: unknown } | null;
        } catch {
          return null;
        }
      })();
      if (doc?.kind === 'thread' && typeof doc.id === 'string') brokenThreads.add(doc.id);
      findings.push(...err.issues.map((i) => issueFinding(i, file, locate)));
    }
  }
  for (const { thread, locate } of threads.values()) findings.push(...lintThread(thread, locate));
  for (const { widget, locate } of widgets.values()) {
    const t = threads.get(widget.thread);
    if (t) findings.push(...lintWidget(widget, t.thread, locate, t.locate));
    else if (folder && !brokenThreads.has(widget.thread)) {
      const known = [...threads.keys()].join(', ') || 'none';
      findings.push(issueFinding({ code: 'widget_thread_unknown', message: `widget "${widget.id}" runs thread "${widget.thread}", which is not defined (threads: ${known})`, field: 'thread' }, widget.file ?? path, locate, ['thread']));
    }
  }
  return { files, threads: threads.size, widgets: widgets.size, findings: sortFindings(findings) };
}
