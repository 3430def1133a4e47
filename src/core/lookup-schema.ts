// The JSON Schema subset a lookup's response is checked against: interpreted here, never compiled to code.
import { z } from 'zod';

export const RESPONSE_TYPES = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'] as const;

export interface ResponseSchema {
  type?: (typeof RESPONSE_TYPES)[number];
  properties?: Record<string, ResponseSchema>;
  required?: string[];
  items?: ResponseSchema;
  enum?: unknown[];
}

/** Strict: a keyword outside the subset (pattern, $ref, oneOf…) is refused rather than silently ignored. */
export const ResponseSchemaSchema: z.ZodType<ResponseSchema> = z.lazy(() =>
  z
    .object({
      type: z.enum(RESPONSE_TYPES).optional(),
      properties: z.record(z.string(), ResponseSchemaSchema).optional(),
      required: z.array(z.string()).optional(),
      items: ResponseSchemaSchema.optional(),
      enum: z.array(z.unknown()).min(1).optional(),
    })
    .strict()
    .superRefine((s, ctx) => {
      if ((s.properties || s.required) && s.type !== 'object') ctx.addIssue({ code: 'custom', path: ['type'], message: '`properties` and `required` need `type: object`' });
      if (s.items && s.type !== 'array') ctx.addIssue({ code: 'custom', path: ['type'], message: '`items` needs `type: array`' });
      for (const r of s.required ?? []) {
        if (!s.properties || !Object.hasOwn(s.properties, r)) ctx.addIssue({ code: 'custom', path: ['required'], message: `required property "${r}" is not among \`properties\`` });
      }
    }),
);

function typeOk(type: ResponseSchema['type'], v: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'null':
      return v === null;
    default:
      return typeof v === type;
  }
}

/** Returns the first mismatch as `path: problem`, or null when the value fits; depth-bounded by the schema. */
export function checkResponse(schema: ResponseSchema, value: unknown, at = '$'): string | null {
  if (!typeOk(schema.type, value)) return `${at}: expected ${schema.type}`;
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) return `${at}: not one of the allowed values`;
  if (schema.type === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!Object.hasOwn(obj, r)) return `${at}.${r}: required`;
    for (const [k, sub] of Object.entries(schema.properties ?? {})) {
      if (!Object.hasOwn(obj, k)) continue;
      const problem = checkResponse(sub, obj[k], `${at}.${k}`);
      if (problem) return problem;
    }
  }
  if (schema.type === 'array' && schema.items) {
    for (const [i, item] of (value as unknown[]).entries()) {
      const problem = checkResponse(schema.items, item, `${at}[${i}]`);
      if (problem) return problem;
    }
  }
  return null;
}
