// The zod schema of thread files: steps, branches, json-rules-engine conditions, actions and handlers.
import { z } from 'zod';
import { isPhoneCountry } from './normalize.ts';

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

/** `value` of a leaf may name another fact instead of a literal, as json-rules-engine allows. */
export const FactRefSchema = z
  .object({
    fact: z.string().min(1),
    path: z.string().optional(),
  })
  .strict();

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

export const StepSchema = z
  .object({
    description: z.string().optional(),
    say: z.union([TemplateSchema, z.array(TemplateSchema).min(1)]).optional(),
    action: z.union([ActionSchema, z.array(ActionSchema).min(1)]).optional(),
    ask: AskSchema.optional(),
    next: NextSchema.optional(),
  })
  .strict();
export type Step = z.infer<typeof StepSchema>;

export const HANDLER_EVENTS = ['authenticated', 'identified', 'cleared', 'conflict', 'token_rejected', 'message'] as const;
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
      .describe('Handlers for identity changes and unexpected messages: where to jump mid-thread.'),
    limits: z
      .object({ maxAutoSteps: z.number().int().min(1).max(1000).optional() })
      .strict()
      .optional(),
    steps: z.record(IdSchema, StepSchema).refine((s) => Object.keys(s).length > 0, 'a thread needs at least one step'),
  })
  .strict();
export type ThreadDoc = z.infer<typeof ThreadSchema>;
