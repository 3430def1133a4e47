// The zod schema of thread files: steps, branches, json-rules-engine conditions, actions and handlers.
import { z } from 'zod';
import { isPhoneCountry } from './normalize.ts';
import { ResponseSchemaSchema } from './lookup-schema.ts';

/** Ids of threads, steps, slots and named conditions: short, readable, usable as dotted-path segments. */
export const IdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must start with a letter and hold only letters, digits, _ or - (64 at most)');

export const OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
] as const;
export type OperatorName = (typeof OPERATORS)[number];

export const LeafConditionSchema = z
  .object({
    fact: z.string().min(1).describe('A fact id (auth, onboarding, profile, scenario, message, slots, conversation, widget), optionally with a dotted path: `auth.status`.'),
    path: z.string().optional().describe('Dotted path inside the fact, e.g. `status` or `$.status`.'),
    operator: z.string().min(1).describe(`One of: ${OPERATORS.join(', ')}.`),
    value: z.unknown().optional().describe('The expected value, or `{ fact, path }` to compare with another fact.'),
    name: z.string().optional().describe('A label shown in traces.'),
  })
  .strict();

export type LeafCondition = z.infer<typeof LeafConditionSchema>;
export type Condition =
  | LeafCondition
  | { all: Condition[]; name?: string }
  | { any: Condition[]; name?: string }
  | { not: Condition; name?: string }
  | { condition: string; name?: string };

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    LeafConditionSchema,
    z.object({ all: z.array(ConditionSchema).min(1), name: z.string().optional() }).strict(),
    z.object({ any: z.array(ConditionSchema).min(1), name: z.string().optional() }).strict(),
    z.object({ not: ConditionSchema, name: z.string().optional() }).strict(),
    z.object({ condition: IdSchema, name: z.string().optional() }).strict(),
  ]),
);

export const BranchSchema = z
  .object({
    name: z.string().optional().describe('A label for traces and graphs.'),
    when: ConditionSchema.optional().describe('A json-rules-engine condition; a branch without `when` is the default and must come last.'),
    goto: IdSchema.describe('The step to go to when this branch wins.'),
  })
  .strict();
export type Branch = z.infer<typeof BranchSchema>;

/** `next: step` is shorthand for a single default branch. */
export const NextSchema = z.union([IdSchema, z.array(BranchSchema).min(1)]);
export type Next = z.infer<typeof NextSchema>;

export const CountrySchema = z.string().refine(isPhoneCountry, 'must be an upper-case ISO country code the phone library knows, such as US or GB');

const TemplateSchema = z.string().max(4000).describe('Text with `{{fact.path}}` or `{{fact.path | fallback}}` placeholders; values are HTML-escaped.');

export const ChoiceSchema = z.union([
  z.string().min(1),
  z
    .object({
      id: IdSchema,
      label: z.string().min(1),
      synonyms: z.array(z.string().min(1)).optional(),
    })
    .strict(),
]);

export const SLOT_TYPES = ['text', 'email', 'phone', 'choice', 'yes_no'] as const;
export type SlotType = (typeof SLOT_TYPES)[number];

export const AskSchema = z
  .object({
    slot: IdSchema.describe('Where the answer is stored: `slots.<slot>`.'),
    type: z.enum(SLOT_TYPES),
    prompt: TemplateSchema.optional().describe('The question; said when the step is entered and again after an invalid answer.'),
    error: TemplateSchema.optional().describe('Said when an answer is invalid, before the prompt is repeated.'),
    choices: z.array(ChoiceSchema).min(1).optional().describe('Required for `choice`: the options; answers match an id, a label, a synonym or the 1-based number.'),
    maxAttempts: z.number().int().min(1).max(20).optional().describe('How many invalid answers before `onFail` is taken (default 3; without `onFail` the bot keeps asking).'),
    onFail: IdSchema.optional().describe('Step to go to after `maxAttempts` invalid answers.'),
    maxLength: z.number().int().min(1).max(10000).optional().describe('For `text`: longest accepted answer (default 1000).'),
    defaultCountry: CountrySchema.optional().describe('For `phone`: ISO country used when the number has no +prefix.'),
  })
  .strict()
  .superRefine((ask, ctx) => {
    if (ask.type === 'choice' && !ask.choices) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'an ask of type choice needs `choices`' });
    if (ask.type !== 'choice' && ask.choices) ctx.addIssue({ code: 'custom', path: ['choices'], message: '`choices` only fits an ask of type choice' });
  });
export type Ask = z.infer<typeof AskSchema>;

const ScalarSchema = z.union([z.string().max(4000), z.number(), z.boolean(), z.null()]);
export type Scalar = z.infer<typeof ScalarSchema>;

export const ActionSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('handoff'),
      queue: IdSchema.describe('The agent queue to route to.'),
      note: TemplateSchema.optional().describe('A note for the agent.'),
    })
    .strict(),
  z
    .object({
      type: z.literal('reroute'),
      queue: IdSchema.describe('The queue to move the conversation to.'),
      note: TemplateSchema.optional().describe('A note for the new agent, rendered after the earlier customer\'s answers are dropped.'),
    })
    .strict()
    .describe('Hand the conversation to another queue as a different customer: a new party, so the earlier customer\'s lines stay apart.'),
  z
    .object({
      type: z.literal('request_login'),
      text: TemplateSchema.optional(),
      url: z.string().url().optional().describe("Defaults to the widget's loginUrl."),
    })
    .strict(),
  z
    .object({
      type: z.literal('request_form'),
      text: TemplateSchema.optional(),
    })
    .strict(),
  z.object({ type: z.literal('end'), reason: z.string().max(200).optional() }).strict(),
  z.object({ type: z.literal('tag'), tags: z.array(IdSchema).min(1) }).strict(),
  z
    .object({
      type: z.literal('set'),
      slots: z.record(IdSchema, ScalarSchema).describe('Slot values to set; strings are templates.'),
    })
    .strict(),
]);
export type Action = z.infer<typeof ActionSchema>;

/** A reply the runtime's model composes; which facts it gets is scoped by trust in the core (generate.ts). */
export const GenerateSchema = z
  .object({
    instructions: TemplateSchema.describe('What the model should do; placeholders outside the trust scope render as their fallback.'),
    facts: z.array(z.string().regex(/^[A-Za-z][\w-]*(\.[\w-]+)*$/, 'must be a dotted fact path such as profile.name')).max(50).optional().describe('Fact paths the model may use (profile.name, lookup.orders.data); withheld unless the trust level allows them.'),
    avoid: z.array(z.string().min(1).max(200)).max(50).optional().describe('Topics the reply must not touch.'),
  })
  .strict();
export type Generate = z.infer<typeof GenerateSchema>;

export const StepSchema = z
  .object({
    description: z.string().optional(),
    say: z.union([TemplateSchema, z.array(TemplateSchema).min(1)]).optional(),
    generate: GenerateSchema.optional().describe('Asks the runtime to compose a reply with its model.'),
    action: z.union([ActionSchema, z.array(ActionSchema).min(1)]).optional(),
    ask: AskSchema.optional(),
    lookup: IdSchema.optional().describe('A lookup declared in `lookups`: the step waits for its result, then evaluates `next`.'),
    next: NextSchema.optional(),
  })
  .strict();

/** The built-in intent matcher for threads that run without a model: the first intent that fires wins. */
export const IntentMatcherSchema = z
  .object({
    keywords: z.array(z.string().trim().min(1).max(100)).optional().describe('Whole words, case-insensitive (confidence 0.8).'),
    phrases: z.array(z.string().trim().min(1).max(200)).optional().describe('Case-insensitive substrings of the normalised text (confidence 1).'),
    patterns: z.array(z.string().min(1).max(200)).optional().describe('Bounded regular expressions, checked for catastrophic backtracking at compile time (confidence 1).'),
  })
  .strict();
export type IntentMatcherDoc = z.infer<typeof IntentMatcherSchema>;

/** An HTTP endpoint the runtime may call for a `lookup` step; the core only builds the request. */
export const LookupSchema = z
  .object({
    url: z.string().min(1).max(2000).describe('A template; values are URL-encoded when rendered.'),
    method: z.enum(['GET', 'POST']).optional().describe('Default GET.'),
    body: z.record(z.string().min(1).max(100), TemplateSchema).optional().describe('POST only: a record of templates, sent as JSON.'),
    timeoutMs: z.number().int().min(100).max(30000).optional().describe('Per attempt; default 3000.'),
    retries: z.number().int().min(0).max(5).optional().describe('Retries on network errors, 5xx and timeouts; default 2.'),
    maxBytes: z.number().int().min(1).max(1048576).optional().describe('Largest accepted response; default 65536.'),
    trustedOnly: z.boolean().optional().describe('Default true: never called for a customer who is not trusted at that moment.'),
    response: ResponseSchemaSchema.optional().describe('A JSON Schema subset (type, properties, required, items, enum) the response must match.'),
  })
  .strict()
  .superRefine((l, ctx) => {
    if (l.body && l.method !== 'POST') ctx.addIssue({ code: 'custom', path: ['body'], message: 'a `body` is only sent with `method: POST`' });
  });
export type Step = z.infer<typeof StepSchema>;

export const HANDLER_EVENTS = [
  'authenticated',
  'identified',
  'cleared',
  'conflict',
  'conflict_after_handoff',
  'token_rejected',
  'message',
  'agent_message',
  'agent_request_login',
] as const;
export type HandlerEvent = (typeof HANDLER_EVENTS)[number];

export const ThreadSchema = z
  .object({
    kind: z.literal('thread'),
    id: IdSchema,
    title: z.string().optional(),
    description: z.string().optional(),
    start: IdSchema.describe('The first step.'),
    conditions: z.record(IdSchema, ConditionSchema).optional().describe('Named conditions, used in `when` as `{ condition: name }`.'),
    on: z
      .object(Object.fromEntries(HANDLER_EVENTS.map((e) => [e, NextSchema.optional()])) as Record<HandlerEvent, z.ZodOptional<typeof NextSchema>>)
      .strict()
      .optional()
      .describe('Handlers for identity changes, unexpected messages and agent events: where to jump mid-thread.'),
    intents: z.record(IdSchema, IntentMatcherSchema).optional().describe('Intent matchers, tried in file order when a message carries no intent.'),
    lookups: z.record(IdSchema, LookupSchema).optional().describe('HTTP endpoints `lookup` steps may call (through the runtime).'),
    limits: z
      .object({ maxAutoSteps: z.number().int().min(1).max(1000).optional() })
      .strict()
      .optional(),
    steps: z.record(IdSchema, StepSchema).refine((s) => Object.keys(s).length > 0, 'a thread needs at least one step'),
  })
  .strict();
export type ThreadDoc = z.infer<typeof ThreadSchema>;
