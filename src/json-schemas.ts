// JSON Schemas of thread, widget and transcript files, generated from their zod schemas for editors.
import { z } from 'zod';
import { ThreadSchema } from './core/thread.schema.ts';
import { WidgetSchema } from './core/widget.schema.ts';
import { TranscriptSchema } from './replay/transcript.schema.ts';

const BASE = 'https://threadgate.dev/schema';

/** The thread, widget and transcript JSON Schemas, keyed by the name of the file they are written to. */
export function jsonSchemas(): Record<'thread' | 'widget' | 'transcript', Record<string, unknown>> {
  const gen = (schema: z.ZodType, name: string, title: string) => ({
    ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }),
    $id: `${BASE}/${name}.schema.json`,
    title,
  });
  return {
    thread: gen(ThreadSchema, 'thread', 'threadgate thread file'),
    widget: gen(WidgetSchema, 'widget', 'threadgate widget file'),
    transcript: gen(TranscriptSchema, 'transcript', 'threadgate conversation transcript'),
  };
}
