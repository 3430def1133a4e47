// Admin routes for threads: drafts checked line by line before they are stored, immutable published versions, rollback.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdSchema } from '../../core/thread.schema.ts';
import type { ThreadVersion } from '../../store/store.port.ts';
import { HttpError } from '../error-catalogue.ts';
import { acceptRulesSource, compileFor, RULES_SOURCE_BODY_LIMIT, RULES_SOURCE_MEDIA_TYPES, RulesSourceBody, sourceText } from '../rules-source-body.ts';

const ThreadParams = z.object({ id: IdSchema }).strict();
const VersionParams = z.object({ id: IdSchema, version: z.coerce.number().int().min(1).max(2_147_483_647) }).strict();
const admin = { roles: ['admin'] } as const;
// For the OpenAPI document: these routes take the file as is, or wrapped in JSON.
const SOURCE_MEDIA_TYPES = ['application/json', ...RULES_SOURCE_MEDIA_TYPES];
const tags = ['threads'];

// The file name issues carry: an uploaded draft has no path, so it is named after what it is.
const draftFile = (id: string) => `thread ${id} (draft)`;

const versionSummary = (v: ThreadVersion) => ({ id: v.threadId, version: v.version, publishedAt: v.publishedAt, active: v.active });

export const threadRoutes: FastifyPluginAsync = async (root) => {
  acceptRulesSource(root);
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { clock } = app.services;
  const { rules } = app.services.store;

  app.put(
    '/v1/threads/:id/draft',
    {
      config: admin,
      bodyLimit: RULES_SOURCE_BODY_LIMIT,
      schema: {
        summary: 'Store the draft of a thread (checked first: a broken file answers 422 with line-precise issues and is not stored)',
        description: `Body: the thread file as ${RULES_SOURCE_MEDIA_TYPES.join(', ')}, or application/json { "source": "<the file>" }. The id in the file must be the URL's.`,
        tags,
        params: ThreadParams,
        consumes: SOURCE_MEDIA_TYPES,
        body: RulesSourceBody,
      },
    },
    async (request) => {
      const { id } = request.params;
      const text = sourceText(request.body);
      compileFor(text, draftFile(id), { kind: 'thread', id });
      const stored = await rules.putThreadDraft(id, text, clock().toISOString());
      return { id: stored.id, updatedAt: stored.updatedAt };
    },
  );

  app.get(
    '/v1/threads/:id/draft',
    { config: admin, schema: { summary: 'Read the stored draft of a thread', tags, params: ThreadParams } },
    async (request) => {
      const draft = await rules.getThreadDraft(request.params.id);
      if (!draft) throw new HttpError('draft_not_found', 'This thread has no draft; PUT /v1/threads/:id/draft first.');
      return { id: draft.id, updatedAt: draft.updatedAt, source: draft.source };
    },
  );

  app.post(
    '/v1/threads/:id/validate',
    {
      config: admin,
      bodyLimit: RULES_SOURCE_BODY_LIMIT,
      schema: {
        summary: 'Check a thread file without storing anything: the one in the body, or else the stored draft',
        tags,
        params: ThreadParams,
        // fastify hands a request without a body over as null.
        consumes: SOURCE_MEDIA_TYPES,
        body: RulesSourceBody.nullish(),
      },
    },
    async (request) => {
      const { id } = request.params;
      let text: string;
      const given = request.body ?? null;
      if (given !== null) text = sourceText(given);
      else {
        const draft = await rules.getThreadDraft(id);
        if (!draft) throw new HttpError('draft_not_found', 'This thread has no draft to check; send the file in the body, or PUT /v1/threads/:id/draft first.');
        text = draft.source;
      }
      const thread = compileFor(text, draftFile(id), { kind: 'thread', id });
      return { valid: true, id, checked: given !== null ? 'body' : 'draft', steps: Object.keys(thread.steps).length };
    },
  );

  app.post(
    '/v1/threads/:id/publish',
    { config: admin, schema: { summary: 'Publish the draft as the next version and make it active for new conversations', tags, params: ThreadParams } },
    async (request, reply) => {
      const { id } = request.params;
      const draft = await rules.getThreadDraft(id);
      if (!draft) throw new HttpError('draft_not_found');
      // Checked again: the draft was valid when stored, but the compiler may have grown stricter since.
      compileFor(draft.source, draftFile(id), { kind: 'thread', id });
      const published = await rules.publishThread(id, clock().toISOString());
      if (!published) throw new HttpError('draft_not_found');
      return reply.status(201).send(versionSummary(published));
    },
  );

  app.get('/v1/threads', { config: admin, schema: { summary: 'List threads with their active version (null until published)', tags } }, async () => {
    const ids = await rules.listThreadIds();
    const threads = await Promise.all(
      ids.map(async (id) => {
        const [active, draft] = await Promise.all([rules.getActiveThreadVersion(id), rules.getThreadDraft(id)]);
        return { id, activeVersion: active?.version ?? null, draftUpdatedAt: draft?.updatedAt ?? null };
      }),
    );
    return { threads };
  });

  app.get(
    '/v1/threads/:id/versions',
    { config: admin, schema: { summary: 'List the published versions of a thread and which one is active', tags, params: ThreadParams } },
    async (request) => {
      const versions = await rules.listThreadVersions(request.params.id);
      if (versions.length === 0) throw new HttpError('thread_not_found');
      return { id: request.params.id, versions: versions.map(versionSummary) };
    },
  );

  app.get(
    '/v1/threads/:id/versions/:version',
    { config: admin, schema: { summary: 'Read one published version of a thread, with its source', tags, params: VersionParams } },
    async (request) => {
      const v = await rules.getThreadVersion(request.params.id, request.params.version);
      if (!v) throw new HttpError('thread_version_not_found');
      return { ...versionSummary(v), source: v.source };
    },
  );

  app.post(
    '/v1/threads/:id/rollback',
    {
      config: admin,
      schema: {
        summary: 'Make an earlier published version active for NEW conversations; conversations in flight keep the version they started with',
        tags,
        params: ThreadParams,
        body: z.object({ version: z.number().int().min(1).max(2_147_483_647) }).strict(),
      },
    },
    async (request) => {
      const v = await rules.activateThreadVersion(request.params.id, request.body.version);
      if (!v) throw new HttpError('thread_version_not_found');
      return versionSummary(v);
    },
  );
};
