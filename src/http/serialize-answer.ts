// The answer serializer: every reply is checked against its route's zod schema, then written as JSON.
import type { FastifySerializerCompiler } from 'fastify';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** What fastify hands the compiler: the zod schema itself, or wrapped in `properties` (as the zod provider accepts). */
function zodOf(schema: unknown): z.ZodType {
  if (schema instanceof z.ZodType) return schema;
  const inner = (schema as { properties?: unknown } | null)?.properties;
  if (inner instanceof z.ZodType) return inner;
  throw new TypeError(`A route's response schema must be a zod schema, got ${JSON.stringify(schema)}.`);
}

/**
 * Like fastify-type-provider-zod's serializerCompiler, but with `parse` instead of `encode`: the answer schemas
 * have no codecs or transforms (test/http/serialize-answer.test.ts), so both give the same value, and parse costs
 * about half (a conversation read with a 100-entry page: ~100 µs instead of ~220 µs). A drifting answer still
 * throws ResponseSerializationError, which the error handler answers as 500.
 */
export const answerSerializerCompiler: FastifySerializerCompiler<unknown> = ({ schema, method, url }) => {
  const zs = zodOf(schema);
  return (data: unknown): string => {
    const checked = zs.safeParse(data);
    if (!checked.success) throw new ResponseSerializationError(method, url, { cause: checked.error });
    return JSON.stringify(checked.data);
  };
};
