// Runs the real `threadgate` bin in a child process, so tests see exit codes and output as a user would.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('bin/threadgate.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function threadgate(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: opts.input ?? '', encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A throw-away copy of rules/ to break; `edit` rewrites one file of it. */
export function rulesCopy(): { dir: string; edit: (file: string, change: (text: string) => string) => void; write: (file: string, text: string) => void; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'threadgate-rules-'));
  cpSync('rules', dir, { recursive: true });
  return {
    dir,
    edit: (file, change) => {
      const path = join(dir, file);
      const before = readFileSync(path, 'utf8');
      const after = change(before);
      if (after === before) throw new Error(`edit of ${file} changed nothing`);
      writeFileSync(path, after);
    },
    write: (file, text) => writeFileSync(join(dir, file), text),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
