// A real `threadgate serve` child process with the environment a test gives; resolves once it listens.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ServeProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** stdout and stderr so far. */
  output: () => string;
  /** Resolves once `pattern` appears in the output. */
  waitForOutput: (pattern: RegExp) => Promise<void>;
  /** The exit code, once the process has exited. */
  exited: Promise<number | null>;
}

/** Starts the service; `children` collects the process so an afterEach can kill what a failed test left running. */
export function serveProcess(env: Record<string, string>, children: ChildProcess[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['bin/threadgate.js', 'serve'], {
    env: { ...process.env, PORT: '0', THREADGATE_LOG_LEVEL: 'warn', THREADGATE_RATE_LIMIT_PER_MINUTE: '1000000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const onOutput = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) (w.pattern.test(out) ? w.resolve() : waiters.push(w));
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitForOutput = (pattern: RegExp) => (pattern.test(out) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ pattern, resolve })));
  return new Promise((resolve, reject) => {
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${out}`)));
    void waitForOutput(/listening on http:\/\/\S+/).then(() => {
      const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
      resolve({ url, port: Number(new URL(url).port), child, output: () => out, waitForOutput, exited });
    });
  });
}
