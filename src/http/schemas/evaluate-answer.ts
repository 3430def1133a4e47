// What POST /v1/evaluate answers: the new state, the outputs, the trace, the message's trust and the capabilities.
import { z } from 'zod';
import type { Capabilities } from '../../core/capabilities.ts';
import type { TurnResult, TurnTrace } from '../../core/outputs.ts';
import { ConversationStateSchema } from '../../core/state.schema.ts';
import { CapabilitiesSchema, OutputSchema } from './turn-answer.ts';

export const EvaluateAnswerSchema = z
  .strictObject({
    state: ConversationStateSchema.describe('The state after the turn: send it back as `state` with the next event.'),
    outputs: z.array(OutputSchema),
    // Described one level deep (event, turn, the rest open), as on the turn answer; typed as the core's trace it is built from.
    trace: z
      .looseObject({ event: z.string(), turn: z.number().int() })
      .describe('Every step passed and every condition evaluated (docs/api.md, "The trace").') as unknown as z.ZodType<TurnTrace>,
    trusted: z.boolean().nullable().describe("Trust of this turn's customer message; null when the event is not a message."),
    capabilities: CapabilitiesSchema,
  })
  .meta({ id: 'EvaluateAnswer' });
export type EvaluateAnswer = z.infer<typeof EvaluateAnswerSchema>;

// Compile-time drift check against the core's result, both ways.
type Assert<T extends true> = T;
type Built = TurnResult & { capabilities: Capabilities };
type Declared = EvaluateAnswer;
export type CoreFitsSchema = Assert<Built extends Declared ? true : false>;
export type SchemaFitsCore = Assert<Declared extends Built ? true : false>;
