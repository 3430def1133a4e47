// Shared helpers of the benchmarks: timing, progress lines, machine description and the report files.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(BENCH_DIR);
export const RESULTS_DIR = join(BENCH_DIR, 'results');

/** Progress goes to stderr so a piped stdout stays the report. */
export function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

export function machine(): { cpu: string; cores: number; node: string; platform: string } {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1]!.trim();
  } catch {
    // not Linux: os.cpus() is the best we have
  }
  return { cpu, cores: cpus().length, node: process.version, platform: `${process.platform} ${process.arch}` };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export const round = (x: number, digits = 2): number => Number.isFinite(x) ? Number(x.toFixed(digits)) : x;

/** Runs `fn` `n` times, awaited one after the other, and returns the elapsed nanoseconds. */
export async function timeAsync(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  return Number(process.hrtime.bigint() - t0);
}

export interface Section {
  name: string;
  /** Markdown for the report. */
  markdown: string;
  /** Figures for latest.json. */
  data: Record<string, unknown>;
  /** Targets checked: label, value, target text, met. */
  targets: { label: string; value: string; target: string; met: boolean }[];
}

export function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export async function writeReport(sections: Section[], startedAt: Date): Promise<{ md: string; json: string }> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const m = machine();
  const targets = sections.flatMap((s) => s.targets);
  const md = [
    '# threadgate benchmarks',
    '',
    `Run ${startedAt.toISOString()} on ${m.cpu}, ${m.cores} cores, Node ${m.node} (${m.platform}).`,
    '',
    ...(targets.length ? ['## Targets', '', table(['target', 'measured', 'goal', 'met'], targets.map((t) => [t.label, t.value, t.target, t.met ? 'yes' : '**no**'])), ''] : []),
    ...sections.flatMap((s) => [`## ${s.name}`, '', s.markdown, '']),
  ].join('\n');
  const json = JSON.stringify({ startedAt: startedAt.toISOString(), machine: m, sections: Object.fromEntries(sections.map((s) => [s.name, { ...s.data, targets: s.targets }])) }, null, 2);
  const mdPath = join(RESULTS_DIR, 'latest.md');
  const jsonPath = join(RESULTS_DIR, 'latest.json');
  await writeFile(mdPath, md);
  await writeFile(jsonPath, json + '\n');
  return { md: mdPath, json: jsonPath };
}
