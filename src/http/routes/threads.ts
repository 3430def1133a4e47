// Admin routes for threads: drafts checked line by line before they are stored, immutable published versions, rollback.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdSchema } from '../../core/thread.schema.ts';
import { HttpError } from '../error-catalogue.ts';
import { ThreadDraftSavedSchema, ThreadDraftSchema, ThreadListSchema, ThreadValidationSchema, ThreadVersionListSchema, ThreadVersionSourceSchema, ThreadVersionSummarySchema, versionSummary } from '../schemas/thread-answers.ts';
import { acceptRulesSource, compileFor, RULES_SOURCE_BODY_LIMIT, RULES_SOURCE_MEDIA_TYPES, RulesSourceBody, sourceText } from '../rules-source-body.ts';

const ThreadParams = z.object({ id: IdSchema }).strict();
const VersionParams = z.object({ id: IdSchema, version: z.coerce.number().int().min(1).max(2_147_483_647) }).strict();
const admin = { roles: ['admin'] } as const;
// For the OpenAPI document: these routes take the file as is, or wrapped in JSON.
const SOURCE_MEDIA_TYPES = ['application/json', ...RULES_SOURCE_MEDIA_TYPES];
const tags = ['threads'];

// The file name issues carry: an uploaded draft has no path, so it is named after what it is.
const draftFile = (id: string) => `thread ${id} (draft)`;

/** A file that does not compile, or names another id than the URL's. */
const RULES_ERRORS = ['rules_invalid', 'rules_id_mismatch'] as const;

export const threadRoutes: FastifyPluginAsync = async (root) => {
  acceptRulesSource(root);
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { clock } = app.services;
  const { rules } = app.services.store;

  app.put(
    '/v1/threads/:id/draft',
    {
      config: { ...admin, errors: RULES_ERRORS },
      bodyLimit: RULES_SOURCE_BODY_LIMIT,
      schema: {
        summary: 'Store the draft of a thread (checked first: a broken file answers 422 with line-precise issues and is not stored)',
        description: `Body: the thread file as ${RULES_SOURCE_MEDIA_TYPES.join(', ')}, or application/json { "source": "<the file>" }. The id in the file must be the URL's.`,
        tags,
        params: ThreadParams,
        consumes: SOURCE_MEDIA_TYPES,
        body: RulesSourceBody,
        response: { 200: ThreadDraftSavedSchema },
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
    { config: { ...admin, errors: ['draft_not_found'] }, schema: { summary: 'Read the stored draft of a thread', tags, params: ThreadParams, response: { 200: ThreadDraftSchema } } },
    async (request) => {
      const draft = await rules.getThreadDraft(request.params.id);
      if (!draft) throw new HttpError('draft_not_found', 'This thread has no draft; PUT /v1/threads/:id/draft first.');
      return { id: draft.id, updatedAt: draft.updatedAt, source: draft.source };
    },
  );

  app.post(
    '/v1/threads/:id/validate',
    {
      config: { ...admin, errors: ['draft_not_found', ...RULES_ERRORS] },
      bodyLimit: RULES_SOURCE_BODY_LIMIT,
      schema: {
        summary: 'Check a thread file without storing anything: the one in the body, or else the stored draft',
        tags,
        params: ThreadParams,
        // fastify hands a request without a body over as null.
        consumes: SOURCE_MEDIA_TYPES,
        body: RulesSourceBody.nullish(),
        response: { 200: ThreadValidationSchema },
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
      return { valid: true as const, id, checked: given !== null ? ('body' as const) : ('draft' as const), steps: Object.keys(thread.steps).length };
    },
  );

  app.post(
    '/v1/threads/:id/publish',
    {
      config: { ...admin, errors: ['draft_not_found', ...RULES_ERRORS] },
      schema: { summary: 'Publish the draft as the next version and make it active for new conversations', tags, params: ThreadParams, response: { 201: ThreadVersionSummarySchema } },
    },
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

  app.get('/v1/threads', { config: admin, schema: { summary: 'List threads with their active version (null until published)', tags, response: { 200: ThreadListSchema } } }, async () => {
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
    {
      config: { ...admin, errors: ['thread_not_found'] },
      schema: { summary: 'List the published versions of a thread and which one is active', tags, params: ThreadParams, response: { 200: ThreadVersionListSchema } },
    },
    async (request) => {
      const versions = await rules.listThreadVersions(request.params.id);
      if (versions.length === 0) throw new HttpError('thread_not_found');
      return { id: request.params.id, versions: versions.map(versionSummary) };
    },
  );

  app.get(
    '/v1/threads/:id/versions/:version',
    {
      config: { ...admin, errors: ['thread_version_not_found'] },
      schema: { summary: 'Read one published version of a thread, with its source', tags, params: VersionParams, response: { 200: ThreadVersionSourceSchema } },
    },
    async (request) => {
      const v = await rules.getThreadVersion(request.params.id, request.params.version);
      if (!v) throw new HttpError('thread_version_not_found');
      return { ...versionSummary(v), source: v.source };
    },
  );

  app.post(
    '/v1/threads/:id/rollback',
    {
      config: { ...admin, errors: ['thread_version_not_found'] },
      schema: {
        summary: 'Make an earlier published version active for NEW conversations; conversations in flight keep the version they started with',
        tags,
        params: ThreadParams,
        body: z.object({ version: z.number().int().min(1).max(2_147_483_647) }).strict(),
        response: { 200: ThreadVersionSummarySchema },
      },
    },
    async (request) => {
      const v = await rules.activateThreadVersion(request.params.id, request.body.version);
      if (!v) throw new HttpError('thread_version_not_found');
      return versionSummary(v);
    },
  );
};
