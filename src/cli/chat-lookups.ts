// `threadgate chat --lookups <file>`: fixed answers for a thread's lookup steps, in the format of a transcript's setup.lookups.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseSource } from '../core/load.ts';
import { formatIssue, isThreadgateError } from '../core/errors.ts';
import { LookupStubSchema, type LookupStub } from '../replay/transcript.schema.ts';

const LookupsFile = z.record(z.string().min(1).max(64), LookupStubSchema);

/** Reads and checks the file; every problem is one line naming the file and the field. */
export async function readLookupStubs(file: string): Promise<{ ok: true; stubs: Record<string, LookupStub> } | { ok: false; message: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return { ok: false, message: `cannot read the lookups file ${file} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})` };
  }
  let doc: unknown;
  try {
    doc = parseSource(text, file).doc;
  } catch (e) {
    return { ok: false, message: isThreadgateError(e) ? e.issues.map(formatIssue).join('\n') : `${file}: ${(e as Error).message}` };
  }
  const parsed = LookupsFile.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return { ok: false, message: `${file}: ${i.path.join('.') || '(the file)'}: ${i.message} (expected lookup names, each { status: ok, data } or { status: error, error })` };
  }
  return { ok: true, stubs: parsed.data };
}
