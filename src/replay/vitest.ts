// Turns a folder of transcripts into vitest test cases that fail with the runner's readable report.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { formatResult } from './report.ts';
import { runTranscriptFile, type RunOptions } from './run-transcript.ts';

/** One `it` per `*.yaml` in `dir` (not recursive), named after the file; call it inside a describe or at top level. */
export function transcriptTests(dir: string, opts: RunOptions = {}): void {
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  // An empty folder would pass silently, which hides a wrong path.
  if (files.length === 0) throw new Error(`transcriptTests: no *.yaml transcripts in ${dir}`);
  for (const name of files) {
    it(name, async () => {
      const result = await runTranscriptFile(join(dir, name), opts);
      if (!result.ok) expect.fail(`\n${formatResult(result)}`);
    });
  }
}
