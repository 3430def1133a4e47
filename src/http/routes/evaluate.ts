// POST /v1/evaluate: one turn through the pure core for authors, with nothing stored, verified or looked up.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { compile, type CompiledThread } from '../../core/compile.ts';
import { compileWidget, type CompiledWidget } from '../../core/compile-widget.ts';
import { ThreadgateError } from '../../core/errors.ts';
import { evaluateTurn } from '../../core/evaluate-turn.ts';
import { TurnEventSchema } from '../../core/events.ts';
import { loadSource } from '../../core/load.ts';
import { AUTH_STATUSES, CONVERSATION_STATUSES, IDENTITY_METHODS, initialState, PROFILE_MATCHES, SCENARIOS, type ConversationState } from '../../core/state.ts';
import { ONBOARDING_TYPES } from '../../core/widget.schema.ts';
import { HttpError } from '../error-catalogue.ts';
import { RULES_SOURCE_BODY_LIMIT } from '../rules-source-body.ts';

const text = z.string().nullable();

/** The core's ConversationState, checked field by field: the core trusts its state, so a malformed one must stop here. */
const StateSchema = z
  .object({
    v: z.literal(1),
    threadId: z.string(),
    widgetId: z.string(),
    status: z.enum(CONVERSATION_STATUSES),
    step: text,
    waiting: z.union([
      z.object({ kind: z.literal('ask'), step: z.string(), attempts: z.number().int().min(0) }).strict(),
      z.object({ kind: z.literal('form') }).strict(),
      z.object({ kind: z.literal('lookup'), step: z.string(), name: z.string() }).strict(),
      z.null(),
    ]),
    slots: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    tags: z.array(z.string()),
    turn: z.number().int().min(0),
    routed: z.boolean(),
    queue: text,
    onboarding: z.object({ type: z.enum(ONBOARDING_TYPES), completed: z.boolean(), skipped: z.boolean(), formRequested: z.boolean() }).strict(),
    identity: z
      .object({
        status: z.enum(AUTH_STATUSES),
        method: z.enum(IDENTITY_METHODS),
        name: text,
        email: text,
        phone: text,
        externalId: text,
        tokenExpiresAt: z.number().nullable(),
        tokenIssuer: text,
        party: z.number().int().min(0),
      })
      .strict(),
    profile: z
      .object({ match: z.enum(PROFILE_MATCHES), id: text, name: text, email: text, phone: text, externalId: text, attributes: z.record(z.string(), z.unknown()) })
      .strict(),
    history: z
      .object({
        authenticatedAtStart: z.boolean(),
        identifiedBeforeAuth: z.boolean(),
        authenticatedBeforeRouting: z.boolean(),
        authenticatedAfterRouting: z.boolean(),
        conflict: z.boolean(),
        everIdentified: z.boolean(),
      })
      .strict(),
    scenario: z.enum(SCENARIOS),
    greeted: z.boolean(),
    context: z.record(z.string(), z.unknown()),
    lookups: z.record(z.string(), z.object({ status: z.enum(['ok', 'error']), data: z.unknown(), error: text }).strict()),
    startedAt: text,
    updatedAt: z.string(),
  })
  .strict();

// Fails to compile when the core's state type and this schema drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const stateSchemaMatchesCore: Same<z.infer<typeof StateSchema>, ConversationState> = true;
void stateSchemaMatchesCore;

const RulesDocument = z.union([
  z.string().min(1).max(RULES_SOURCE_BODY_LIMIT).describe('The file as YAML or JSON text (issues carry lines).'),
  z.record(z.string(), z.unknown()).describe('The parsed document (issues carry field paths).'),
]);

const EvaluateBody = z
  .object({
    thread: RulesDocument,
    widget: RulesDocument,
    state: StateSchema.optional().describe('The state a previous evaluation returned; absent: a new conversation (send a `start` event).'),
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
  const { clock, newId } = app.tg;

  app.post(
    '/v1/evaluate',
    {
      config: { roles: ['admin'] },
      bodyLimit: 2 * RULES_SOURCE_BODY_LIMIT + 64 * 1024,
      schema: {
        summary: 'Simulate one turn for authors: thread + widget + state + event in, new state, outputs and trace out. Stateless: nothing is stored, tokens are given as already-verified results (no JWT is checked), and no profile is looked up (pass `profile` in the event to simulate a lookup).',
        tags: ['evaluate'],
        body: EvaluateBody,
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
      return { state: result.state, outputs: result.outputs, trace: result.trace, trusted: result.trusted };
    },
  );
};
