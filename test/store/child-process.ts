// Runs a TypeScript fixture in its own Node process (through tsx), so SQLite connections really are separate.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export function runFixture(name: string, args: string[]): ChildProcessWithoutNullStreams {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'pipe' });
}

/** Resolves with each stdout line the child writes until it exits; rejects when it fails. */
export function lines(child: ChildProcessWithoutNullStreams, onLine: (line: string) => void = () => {}): Promise<string[]> {
  const seen: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    seen.push(line);
    onLine(line);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0 || signal === 'SIGKILL') resolve(seen);
      else reject(new Error(`fixture exited with ${code ?? signal}: ${stderr}`));
    });
  });
}
