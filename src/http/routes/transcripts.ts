// PUT /v1/transcripts/:name: saves a transcript (e.g. exported from the studio's simulator) into the server's transcripts folder, so coverage and `threadgate test` replay it.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomBytes } from 'node:crypto';
import { link, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MAX_TRANSCRIPT_CHARS } from '../../replay/cover-thread.ts';
import { parseTranscript } from '../../replay/load-transcript.ts';
import { HttpError } from '../error-catalogue.ts';
import { acceptRulesSource, sourceText } from '../rules-source-body.ts';
import { TranscriptSavedSchema } from '../schemas/transcript-saved.ts';

// No dots or slashes: the name is a file name in the folder and can never leave it.
const NameParams = z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/, 'letters, digits, _ or -, starting with a letter or digit (80 at most); the file is <name>.yaml') }).strict();
const SaveQuery = z.object({ replace: z.enum(['true', 'false']).optional().describe('true replaces a transcript of the same name; default: refused with 409 transcript_exists.') }).strict();
const TranscriptText = z.string().min(1).max(MAX_TRANSCRIPT_CHARS);
export const SaveBody = z.union([TranscriptText.describe('The transcript YAML as is (application/yaml, text/yaml or text/plain).'), z.object({ source: TranscriptText }).strict()]);

/** Failures of the folder itself (read-only, full, removed) are the operator's to fix, never a 500. */
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOENT', 'ENOTDIR', 'EIO']);

export const transcriptRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  acceptRulesSource(app);
  const dir = app.services.options.transcriptsDir ?? null;

  app.put(
    '/v1/transcripts/:name',
    {
      config: { roles: ['admin'], errors: ['transcripts_not_configured', 'transcript_invalid', 'transcript_exists', 'transcripts_unwritable'] },
      bodyLimit: MAX_TRANSCRIPT_CHARS + 1024,
      schema: {
        summary: "Save a transcript into the server's transcripts folder (THREADGATE_TRANSCRIPTS_DIR) as <name>.yaml; it must parse as a transcript",
        tags: ['threads'],
        params: NameParams,
        querystring: SaveQuery,
        body: SaveBody,
        response: { 200: TranscriptSavedSchema.describe('Replaced an existing transcript.'), 201: TranscriptSavedSchema.describe('Created.') },
      },
    },
    async (request, reply) => {
      if (!dir) throw new HttpError('transcripts_not_configured');
      const text = sourceText(request.body);
      const parsed = parseTranscript(text, `${request.params.name}.yaml`);
      if (!parsed.ok) throw new HttpError('transcript_invalid', undefined, { issues: parsed.issues });
      const file = join(dir, `${request.params.name}.yaml`);
      // Written whole to a temporary name, then moved in place: a reader never sees half a file.
      const tmp = join(dir, `.${request.params.name}.${randomBytes(6).toString('hex')}.tmp`);
      const replace = request.query.replace === 'true';
      let replaced = false;
      try {
        await writeFile(tmp, text, { flag: 'wx', mode: 0o644 });
        if (replace) {
          replaced = await link(tmp, file).then(
            () => false,
            async (e: NodeJS.ErrnoException) => {
              if (e.code !== 'EEXIST') throw e;
              await rename(tmp, file);
              return true;
            },
          );
        } else {
          // link() refuses an existing name atomically, so two saves of one name cannot both win.
          await link(tmp, file).catch((e: NodeJS.ErrnoException) => {
            if (e.code === 'EEXIST') throw new HttpError('transcript_exists', `A transcript ${request.params.name}.yaml exists already; pass ?replace=true to replace it.`);
            throw e;
          });
        }
      } catch (e) {
        if (e instanceof HttpError) throw e;
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (UNWRITABLE.has(code)) throw new HttpError('transcripts_unwritable', `The transcripts folder cannot be written (${code}); check that ${dir} exists, is writable by the service and has space.`);
        throw e;
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
      return reply.status(replaced ? 200 : 201).send({ name: request.params.name, file: `${request.params.name}.yaml`, replaced });
    },
  );
};
