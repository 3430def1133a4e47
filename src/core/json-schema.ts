// JSON Schemas generated from the zod schemas, for editors (yaml-language-server, VS Code).
import { z } from 'zod';
import { ThreadSchema } from './thread.schema.ts';
import { WidgetSchema } from './widget.schema.ts';

const BASE = 'https://threadgate.dev/schema';

/** The thread and widget JSON Schemas, keyed by the name of the file they are written to. */
export function jsonSchemas(): Record<'thread' | 'widget', Record<string, unknown>> {
  const gen = (schema: z.ZodType, name: string, title: string) => ({
    ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }),
    $id: `${BASE}/${name}.schema.json`,
    title,
  });
  return {
    thread: gen(ThreadSchema, 'thread', 'threadgate thread file'),
    widget: gen(WidgetSchema, 'widget', 'threadgate widget file'),
  };
}
