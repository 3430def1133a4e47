// Where a CLI command reads and writes: the process's streams and environment, or a test's in-memory ones.

/** An output stream; isTTY decides between a rewriting progress line and plain lines. */
export type CliOutput = NodeJS.WritableStream & { isTTY?: boolean };

export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  /** Read by `chat`: one line per message or command. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Read instead of process.env, so a test can set THREADGATE_RULES or secrets for one run. */
  env: Record<string, string | undefined>;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** What every command module exports, so main.ts can load it on demand. */
export type Command = (args: string[], io: CliIo) => Promise<number>;
