// The one error answer of every route, as a zod schema for the OpenAPI document and the typed client.
import { z } from 'zod';
import { HTTP_ERROR_CODES, type HttpErrorCode } from '../error-catalogue.ts';

export const ErrorBodySchema = z
  .looseObject({
    code: z.enum(HTTP_ERROR_CODES as [HttpErrorCode, ...HttpErrorCode[]]).describe('Stable: branch on it (docs/errors.md). Codes may be added, never changed.'),
    message: z.string().describe('What went wrong and what to do, for people; may change.'),
    requestId: z.string().describe('The id of this request in the service log.'),
    issues: z.array(z.looseObject({ field: z.string().optional(), message: z.string() })).optional().describe('validation_failed, rules_invalid, transcript_invalid: one entry per problem.'),
  })
  .describe('Every error: `{ code, message, requestId }` plus the fields a code documents (docs/errors.md).')
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof ErrorBodySchema>;
