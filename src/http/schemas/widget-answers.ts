// What the widget routes answer: the list (a summary of each widget file), one widget file, and a stored widget.
import { z } from 'zod';
import { WidgetSchema } from '../../core/widget.schema.ts';
import type { RulesSource } from '../../store/store.port.ts';

const updatedAt = z.string().describe('When it was stored (ISO 8601).');

/** What a listing shows of a widget file: its fields as the widget schema types them, null where the file has none. */
export const WidgetSummarySchema = z
  .strictObject({
    id: z.string(),
    updatedAt,
    name: WidgetSchema.shape.name.unwrap().nullable(),
    onboarding: WidgetSchema.shape.onboarding.nullable(),
    thread: WidgetSchema.shape.thread.nullable(),
  })
  .meta({ id: 'WidgetSummary' });
export type WidgetSummary = z.infer<typeof WidgetSummarySchema>;

export const WidgetListSchema = z.strictObject({ widgets: z.array(WidgetSummarySchema) }).meta({ id: 'WidgetList' });
export type WidgetList = z.infer<typeof WidgetListSchema>;

export const WidgetSourceSchema = z
  .strictObject({ id: z.string(), updatedAt, source: z.string().describe('The widget file as stored (YAML or JSON text), byte for byte.') })
  .meta({ id: 'WidgetSource' });
export type WidgetSource = z.infer<typeof WidgetSourceSchema>;

export const WidgetSavedSchema = z.strictObject({ id: z.string(), updatedAt }).meta({ id: 'WidgetSaved' });
export type WidgetSaved = z.infer<typeof WidgetSavedSchema>;

// Compile-time drift check against the store's row, both ways.
type Assert<T extends true> = T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type SourceMatches = Assert<Same<RulesSource, WidgetSource>>;
