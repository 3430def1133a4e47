// Admin routes for widgets: a widget is stored only when it compiles, its JWT keys resolve and its thread is published.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseSource } from '../../core/load.ts';
import { IdSchema } from '../../core/thread.schema.ts';
import { HttpError } from '../error-catalogue.ts';
import { WidgetListSchema, WidgetSavedSchema, WidgetSourceSchema, WidgetSummarySchema, type WidgetSummary } from '../schemas/widget-answers.ts';
import { acceptRulesSource, compileFor, RULES_SOURCE_BODY_LIMIT, RULES_SOURCE_MEDIA_TYPES, RulesSourceBody, sourceText } from '../rules-source-body.ts';

const WidgetParams = z.object({ id: IdSchema }).strict();
const admin = { roles: ['admin'] } as const;
// For the OpenAPI document: these routes take the file as is, or wrapped in JSON.
const SOURCE_MEDIA_TYPES = ['application/json', ...RULES_SOURCE_MEDIA_TYPES];
const tags = ['widgets'];

const widgetFile = (id: string) => `widget ${id}`;

/** What a listing shows of a stored widget; read leniently (a field that does not fit is null), since a listing must not fail on one odd row. */
function summaryOf(source: string): Pick<WidgetSummary, 'name' | 'onboarding' | 'thread'> {
  const fields = WidgetSummarySchema.pick({ name: true, onboarding: true, thread: true }).shape;
  let doc: Record<string, unknown> | null = null;
  try {
    const parsed = parseSource(source).doc;
    doc = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    doc = null;
  }
  const read = <T>(schema: z.ZodType<T>, value: unknown): T | null => {
    const r = schema.safeParse(value ?? null);
    return r.success ? r.data : null;
  };
  return { name: read(fields.name, doc?.name), onboarding: read(fields.onboarding, doc?.onboarding), thread: read(fields.thread, doc?.thread) };
}

export const widgetRoutes: FastifyPluginAsync = async (root) => {
  acceptRulesSource(root);
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { registry, clock } = app.services;
  const { rules } = app.services.store;

  app.get('/v1/widgets', { config: admin, schema: { summary: 'List widgets', tags, response: { 200: WidgetListSchema } } }, async () => {
    const rows = await rules.listWidgets();
    return { widgets: rows.map((w) => ({ id: w.id, updatedAt: w.updatedAt, ...summaryOf(w.source) })) };
  });

  app.get('/v1/widgets/:id', { config: { ...admin, errors: ['widget_not_found'] }, schema: { summary: 'Read a widget file', tags, params: WidgetParams, response: { 200: WidgetSourceSchema } } }, async (request) => {
    const row = await rules.getWidget(request.params.id);
    if (!row) throw new HttpError('widget_not_found');
    return { id: row.id, updatedAt: row.updatedAt, source: row.source };
  });

  app.put(
    '/v1/widgets/:id',
    {
      config: { ...admin, errors: ['rules_invalid', 'rules_id_mismatch', 'widget_thread_unknown'] },
      bodyLimit: RULES_SOURCE_BODY_LIMIT,
      schema: {
        summary: 'Create or replace a widget (checked first: it must compile, its JWT keys must resolve, its thread must be published)',
        description: `Body: the widget file as ${RULES_SOURCE_MEDIA_TYPES.join(', ')}, or application/json { "source": "<the file>" }. The id in the file must be the URL's.`,
        tags,
        params: WidgetParams,
        consumes: SOURCE_MEDIA_TYPES,
        body: RulesSourceBody,
        response: { 200: WidgetSavedSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const text = sourceText(request.body);
      const file = widgetFile(id);
      compileFor(text, file, { kind: 'widget', id });
      // Resolving the keys now (env secrets, PEMs, JWKS URL shape) keeps a widget that can never verify a token from going live.
      const { widget } = await registry.prepareWidget(text, file);
      if (!(await rules.getActiveThreadVersion(widget.thread))) {
        throw new HttpError('widget_thread_unknown', `The widget runs the thread "${widget.thread}", which has no published version; publish it first (POST /v1/threads/${widget.thread}/publish).`, {
          thread: widget.thread,
        });
      }
      const stored = await rules.putWidget(id, text, clock().toISOString());
      return { id: stored.id, updatedAt: stored.updatedAt };
    },
  );

  app.delete('/v1/widgets/:id', {
      config: { ...admin, errors: ['widget_not_found'] },
      schema: {
        summary: 'Delete a widget: starting conversations on it AND further turns of its conversations in flight answer 404 widget_not_found',
        tags,
        params: WidgetParams,
        response: { 204: z.null().describe('Deleted; no body.') },
      },
    }, async (request, reply) => {
    if (!(await rules.deleteWidget(request.params.id))) throw new HttpError('widget_not_found');
    return reply.status(204).send(null);
  });
};
