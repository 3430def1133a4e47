// POST /v1/threads/:id/coverage: replays transcripts against a thread's draft (or a given text) and answers which branches they took.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { z } from 'zod';
import { IdSchema } from '../../core/thread.schema.ts';
import type { CoverageAnswer, CoverageTranscript } from '../../replay/coverage-answer.ts';
import { coverThread, MAX_TRANSCRIPT_CHARS, MAX_TRANSCRIPTS, type TranscriptText } from '../../replay/cover-thread.ts';
import { transcriptsIn } from '../../replay/find-transcripts.ts';
import { HttpError } from '../error-catalogue.ts';
import { compileFor, RULES_SOURCE_BODY_LIMIT } from '../rules-source-body.ts';
import { CoverageAnswerSchema } from '../schemas/thread-coverage.ts';

export type { CoverageAnswer } from '../../replay/coverage-answer.ts';

/** A folder is the operator's own, but one request still replays a bounded number of files. */
export const MAX_FOLDER_TRANSCRIPTS = 500;
/** The thread (128 KiB) and MAX_TRANSCRIPTS transcripts of MAX_TRANSCRIPT_CHARS, with room for JSON escapes. */
const BODY_LIMIT = 1024 * 1024;

const ThreadParams = z.object({ id: IdSchema }).strict();
export const CoverageBody = z
  .object({
    thread: z.string().min(1).max(RULES_SOURCE_BODY_LIMIT).optional().describe('The thread file to cover (YAML or JSON text); default the stored draft, else the active version.'),
    transcripts: z
      .array(
        z
          .object({
            name: z.string().min(1).max(200).optional().describe("What the answer calls it; default the transcript's own name."),
            source: z.string().min(1).max(MAX_TRANSCRIPT_CHARS).describe('The transcript file (YAML text), as docs/transcripts.md describes it.'),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_TRANSCRIPTS)
      .optional()
      .describe("Transcripts to replay; default the server's transcripts folder (THREADGATE_TRANSCRIPTS_DIR), only those whose widget runs this thread."),
  })
  .strict();

/** The transcripts of the server's folder, named by their path in it; a folder that cannot be read is one entry with the reason. */
async function folderTranscripts(dir: string): Promise<{ texts: TranscriptText[]; problems: CoverageTranscript[] }> {
  const problems: CoverageTranscript[] = [];
  let files: string[];
  try {
    files = await transcriptsIn(dir);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    return { texts: [], problems: [{ name: dir, ok: false, failures: 0, issues: [{ code: 'io_error', message: `cannot read the transcripts folder (${reason})`, file: dir }] }] };
  }
  if (files.length > MAX_FOLDER_TRANSCRIPTS) {
    problems.push({ name: dir, ok: false, failures: 0, issues: [{ code: 'config_invalid', message: `the folder holds ${files.length} transcripts; only the first ${MAX_FOLDER_TRANSCRIPTS} ran`, file: dir }] });
    files = files.slice(0, MAX_FOLDER_TRANSCRIPTS);
  }
  const texts: TranscriptText[] = [];
  for (const path of files) {
    const name = relative(dir, path) || path;
    try {
      texts.push({ name, file: name, text: await readFile(path, 'utf8') });
    } catch (e) {
      problems.push({ name, ok: false, failures: 0, issues: [{ code: 'io_error', message: `cannot read the transcript (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`, file: name }] });
    }
  }
  return { texts, problems };
}

export const threadCoverageRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { rules } = app.services.store;
  const transcriptsDir = app.services.options.transcriptsDir ?? null;

  app.post(
    '/v1/threads/:id/coverage',
    {
      config: { roles: ['admin'], errors: ['thread_not_found', 'rules_invalid', 'rules_id_mismatch'] },
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: "Replay transcripts against a thread (the body's text, else the draft, else the active version) and answer which of its branches they took",
        description:
          'Widgets are the stored ones, with this thread in place of theirs; each transcript runs on its own in-memory store with stubbed lookups and its own test secrets, never the server\'s. ' +
          'A transcript that cannot be read or run is listed with its issues.',
        tags: ['threads'],
        params: ThreadParams,
        // fastify hands a request without a body over as undefined.
        body: CoverageBody.nullish(),
        response: { 200: CoverageAnswerSchema },
      },
    },
    async (request): Promise<CoverageAnswer> => {
      const { id } = request.params;
      const body = request.body ?? {};
      let source: string;
      let checked: CoverageAnswer['checked'];
      if (body.thread !== undefined) {
        source = body.thread;
        checked = 'body';
      } else {
        const draft = await rules.getThreadDraft(id);
        const active = draft ? null : await rules.getActiveThreadVersion(id);
        if (!draft && !active) throw new HttpError('thread_not_found', `Thread "${id}" has no draft and no published version; send its file as \`thread\` in the body, or PUT /v1/threads/:id/draft first.`);
        source = draft?.source ?? active!.source;
        checked = draft ? 'draft' : 'active';
      }
      // A text that does not compile is 422 rules_invalid, as validate answers it.
      const thread = compileFor(source, checked === 'active' ? `thread ${id} (active)` : `thread ${id} (${checked})`, { kind: 'thread', id });

      const given = body.transcripts !== undefined;
      const { texts, problems } = given
        ? { texts: body.transcripts!.map((t, i) => ({ ...(t.name !== undefined ? { name: t.name } : {}), file: t.name ?? `transcripts[${i}]`, text: t.source })), problems: [] }
        : transcriptsDir !== null
          ? await folderTranscripts(transcriptsDir)
          : { texts: [], problems: [] };
      const result = await coverThread({
        thread,
        source,
        transcripts: texts,
        widgetSource: async (widgetId) => (await rules.getWidget(widgetId))?.source ?? null,
        skipOtherThreads: !given,
      });
      return { ...result.coverage, checked, transcripts: [...problems, ...result.transcripts] };
    },
  );
};
