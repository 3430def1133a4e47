// Runs the CLI in process through main() with in-memory streams, or (for the few bin tests) the real bin in a child process.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

const BIN = resolve('bin/threadgate.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Piped to stdin, as `spawnSync`'s input: not a terminal. */
  input?: string;
  env?: Record<string, string>;
  /** Makes stdout look like a terminal (isTTY), as colours and progress lines check. */
  tty?: boolean;
}

/** A non-terminal output stream that keeps what is written, as a pipe to a parent process would. */
function captured(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/**
 * Runs `threadgate <args>` in this process: same exit code, stdout and stderr as the bin, without paying a
 * child process start per call. A command that throws rejects, where the bin would crash.
 */
export async function threadgate(args: string[], opts: RunOptions = {}): Promise<Run> {
  const stdout = captured();
  const stderr = captured();
  if (opts.tty) Object.assign(stdout.stream, { isTTY: true });
  const stdin = Readable.from(opts.input ? [opts.input] : []);
  // A FORCE_COLOR from the test runner's environment must not colour what the tests compare.
  const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream, stdin, env: { ...process.env, FORCE_COLOR: '', ...opts.env } });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Runs the real `threadgate` bin in a child process, so a test sees exit codes and output as a user would. */
export function spawnThreadgate(args: string[], opts: RunOptions = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: opts.input ?? '', encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '', ...opts.env }, timeout: 60_000 });
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
