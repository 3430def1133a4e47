// What callers (HTTP, CLI, transcripts) may send, derived from the core's TurnEventSchema so a new event type is one change.
import { z } from 'zod';
import { TurnEventSchema, type TurnEventType } from '../core/events.ts';

/** A caller sends the token as the website signed it; the runtime verifies it and hands the core the result. */
export const JwtStringSchema = z.string().min(1).max(8192).describe('A compact User Identity JWT, exactly as signed.');

/** Events only the runtime produces: a `lookup_result` sent by a caller could fake an order API's answer. */
export const RUNTIME_ONLY_EVENTS = ['lookup_result'] as const satisfies readonly TurnEventType[];
type RuntimeOnlyEvent = (typeof RUNTIME_ONLY_EVENTS)[number];

/**
 * How a core event's fields change at the edge: `profile` (the directory's match for the identity) is looked
 * up by the runtime, so a caller cannot send one; `token` is the raw JWT instead of a verification result.
 */
type CallerShape<S extends z.core.$ZodShape> = {
  [K in keyof S as K extends 'profile' ? never : K]: K extends 'token'
    ? S[K] extends z.ZodOptional ? z.ZodOptional<typeof JwtStringSchema> : typeof JwtStringSchema
    : S[K];
};
type CallerOption<O> = O extends z.ZodObject<infer S, infer C> ? z.ZodObject<CallerShape<S>, C> : never;
type TypeOf<O> = O extends { shape: { type: z.ZodLiteral<infer T> } } ? T : never;
/** The options of a tuple of event schemas, without the event types `Drop`, each turned into its caller form. */
type CallerOptions<T extends readonly unknown[], Drop extends string> = T extends readonly [infer H, ...infer R]
  ? TypeOf<H> extends Drop ? CallerOptions<R, Drop> : [CallerOption<H>, ...CallerOptions<R, Drop>]
  : [];
type CoreOptions = typeof TurnEventSchema.options;

/** Edge rules on top of the core's: PostgreSQL text columns cannot store NUL, so it is refused for both stores alike. */
const noNul = (text: z.ZodType) => (text as z.ZodString).regex(/^[^\u0000]*$/, 'must not contain NUL characters');
const EDGE_FIELDS: { [T in TurnEventType]?: Record<string, (field: z.ZodType) => z.ZodType> } = {
  message: { text: noNul },
  agent_message: { text: noNul },
  // Optional: the NUL check goes on the string inside.
  agent_request_login: { text: (text) => noNul((text as z.ZodOptional<z.ZodString>).unwrap()).optional() },
};

function callerOption(option: CoreOptions[number]): z.ZodObject {
  const core = option as z.ZodObject;
  let out = 'profile' in core.shape ? core.omit({ profile: true }) : core;
  const token = core.shape.token;
  if (token) out = out.extend({ token: token instanceof z.ZodOptional ? JwtStringSchema.optional() : JwtStringSchema });
  for (const [field, edge] of Object.entries(EDGE_FIELDS[option.shape.type.value] ?? {})) out = out.extend({ [field]: edge(core.shape[field]!) });
  return out;
}

function callerOptions<Drop extends TurnEventType>(drop: readonly Drop[]): CallerOptions<CoreOptions, Drop> {
  const kept = TurnEventSchema.options.filter((option) => !(drop as readonly string[]).includes(option.shape.type.value));
  // The mapped tuple type says per option what callerOption does at run time; TypeScript cannot follow .map over a tuple.
  return kept.map(callerOption) as unknown as CallerOptions<CoreOptions, Drop>;
}

/** Every event a caller may hand to runTurn: the core's events but runtime-only ones, with a raw token and no profile. */
export const CallerEventSchema = z.discriminatedUnion('type', callerOptions<RuntimeOnlyEvent>(RUNTIME_ONLY_EVENTS));
export type CallerEvent = z.infer<typeof CallerEventSchema>;

/** The event types that may carry a token, which the runtime verifies before the core sees the event. */
export const TOKEN_EVENTS: ReadonlySet<string> = new Set(CallerEventSchema.options.filter((option) => 'token' in option.shape).map((option) => option.shape.type.value));

/** The body of POST /v1/conversations/:id/turns: a caller event other than `start`, which has its own route. */
export const CallerTurnEventSchema = z.discriminatedUnion('type', callerOptions<RuntimeOnlyEvent | 'start'>([...RUNTIME_ONLY_EVENTS, 'start']));
export type CallerTurnEvent = z.infer<typeof CallerTurnEventSchema>;

const StartEventSchema = CallerEventSchema.options.find((option) => option.shape.type.value === 'start') as Extract<
  (typeof CallerEventSchema.options)[number],
  { shape: { type: z.ZodLiteral<'start'> } }
>;

/** The body of POST /v1/conversations: the `start` event's fields and the widget to start on. */
export const StartRequestSchema = z
  .object({ widgetId: z.string().min(1).max(64) })
  .extend(StartEventSchema.omit({ type: true }).shape)
  .strict();
export type StartRequest = z.infer<typeof StartRequestSchema>;
