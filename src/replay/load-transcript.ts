// Reads a transcript file: YAML parsed with positions, validated by zod, every problem reported with file:line.
import { readFile } from 'node:fs/promises';
import { ThreadgateError, type ErrorIssue } from '../core/errors.ts';
import { parseSource } from '../core/load.ts';
import type { Locate } from '../core/zod-issues.ts';
import { zodIssues } from '../core/zod-issues.ts';
import { TranscriptSchema, type Transcript } from './transcript.schema.ts';

export interface LoadedTranscript {
  file: string;
  transcript: Transcript;
  /** Where a path of the document sits, so failures can name the line of the turn. */
  locate: Locate;
}

export type LoadResult = { ok: true; loaded: LoadedTranscript } | { ok: false; file: string; issues: ErrorIssue[] };

/** Parses transcript text; never throws for a bad file, the issues say what to fix. */
export function parseTranscript(text: string, file: string): LoadResult {
  let parsed: ReturnType<typeof parseSource>;
  try {
    parsed = parseSource(text, file);
  } catch (e) {
    if (e instanceof ThreadgateError) return { ok: false, file, issues: e.issues };
    throw e;
  }
  const result = TranscriptSchema.safeParse(parsed.doc);
  if (!result.success) return { ok: false, file, issues: zodIssues(result.error, { file, locate: parsed.locate }) };
  return { ok: true, loaded: { file, transcript: result.data, locate: parsed.locate } };
}

export async function loadTranscript(file: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message;
    return { ok: false, file, issues: [{ code: 'io_error', message: `cannot read the transcript: ${reason}`, file }] };
  }
  return parseTranscript(text, file);
}
