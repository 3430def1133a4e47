// POST /v1/evaluate: one turn through the pure core for authors, with nothing stored, verified or looked up.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { capabilitiesOf } from '../../core/capabilities.ts';
import { compile, type CompiledThread } from '../../core/compile.ts';
import { compileWidget, type CompiledWidget } from '../../core/compile-widget.ts';
import { ThreadgateError } from '../../core/errors.ts';
import { evaluateTurn } from '../../core/evaluate-turn.ts';
import { TurnEventSchema } from '../../core/events.ts';
import { loadSource } from '../../core/load.ts';
import { initialState } from '../../core/state.ts';
import { ConversationStateSchema } from '../../core/state.schema.ts';
import { HttpError } from '../error-catalogue.ts';
import { RULES_SOURCE_BODY_LIMIT } from '../rules-source-body.ts';
import { EvaluateAnswerSchema } from '../schemas/evaluate-answer.ts';

const RulesDocument = z.union([
  z.string().min(1).max(RULES_SOURCE_BODY_LIMIT).describe('The file as YAML or JSON text (issues carry lines).'),
  z.record(z.string(), z.unknown()).describe('The parsed document (issues carry field paths).'),
]);

export const EvaluateBody = z
  .object({
    thread: RulesDocument,
    widget: RulesDocument,
    state: ConversationStateSchema.optional().describe('The state a previous evaluation returned; absent: a new conversation (send a `start` event).'),
    event: TurnEventSchema.describe('A core event: tokens are given as verification results ({ ok: true, identity } or { ok: false, reason }), profiles as lookup results.'),
    now: z.iso.datetime({ offset: true }).optional().describe('The moment of the turn; default: the server clock.'),
  })
  .strict();

function compileDocument(doc: string | Record<string, unknown>, kind: 'thread'): CompiledThread;
function compileDocument(doc: string | Record<string, unknown>, kind: 'widget'): CompiledWidget;
function compileDocument(doc: string | Record<string, unknown>, kind: 'thread' | 'widget'): CompiledThread | CompiledWidget {
  // The file name is the body field, so an issue reads `thread:12:3 ...` or `widget ... field jwt.keys.0`.
  if (typeof doc !== 'string') return kind === 'thread' ? compile(doc, { file: kind }) : compileWidget(doc, { file: kind });
  const loaded = loadSource(doc, kind);
  if (loaded.kind !== kind) throw ThreadgateError.fromIssues([{ code: 'kind_unknown', message: `body.${kind} holds a ${loaded.kind}, not a ${kind}`, file: kind, field: 'kind' }]);
  return loaded.kind === 'thread' ? loaded.thread : loaded.widget;
}

export const evaluateRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { clock, newId } = app.services;

  app.post(
    '/v1/evaluate',
    {
      config: { roles: ['admin'], errors: ['rules_invalid'] },
      bodyLimit: 2 * RULES_SOURCE_BODY_LIMIT + 64 * 1024,
      schema: {
        summary: 'Simulate one turn for authors: thread + widget + state + event in, new state, outputs, trace and capabilities out. Stateless: nothing is stored, tokens are given as already-verified results (no JWT is checked), and no profile is looked up (pass `profile` in the event to simulate a lookup).',
        tags: ['evaluate'],
        body: EvaluateBody,
        response: { 200: EvaluateAnswerSchema },
      },
    },
    async (request) => {
      const body = request.body;
      const thread = compileDocument(body.thread, 'thread');
      const widget = compileDocument(body.widget, 'widget');
      if (widget.thread !== thread.id) {
        throw ThreadgateError.fromIssues([
          { code: 'widget_thread_unknown', message: `the widget runs the thread "${widget.thread}", but body.thread is "${thread.id}"`, file: 'widget', field: 'thread' },
        ]);
      }
      const now = body.now ? new Date(body.now) : clock();
      if (body.state && (body.state.threadId !== thread.id || body.state.widgetId !== widget.id)) {
        const message = `the state belongs to thread "${body.state.threadId}" on widget "${body.state.widgetId}", not "${thread.id}" on "${widget.id}"`;
        throw new HttpError('validation_failed', `Invalid request: body.state: ${message}.`, { issues: [{ field: 'body.state', message }] });
      }
      const state = body.state ?? initialState(thread.id, widget, now.toISOString());
      const result = await evaluateTurn(thread, state, body.event, { now, newId, widget });
      const capabilities = capabilitiesOf(result.state, widget, Math.floor(now.getTime() / 1000));
      return { state: result.state, outputs: result.outputs, trace: result.trace, trusted: result.trusted, capabilities };
    },
  );
};
