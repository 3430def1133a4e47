// The app's only JSON body parser (strict UTF-8, the input rules of input-rules.ts) and the same rules on path and query.
import type { FastifyInstance } from 'fastify';
import { HTTP_ERRORS, HttpError } from './error-catalogue.ts';
import { findInputProblem, type InputProblem } from './input-rules.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The 400 of an input that breaks a rule: validation_failed naming the field, like a schema error. */
export function inputInvalid(problem: InputProblem): HttpError {
  return new HttpError('validation_failed', `Invalid request: ${problem.field}: ${problem.message}`, { issues: [problem] });
}

/** Decodes a body as UTF-8, refusing bytes that are not UTF-8 instead of turning them into U+FFFD silently. */
export function decodeUtf8Body(raw: Buffer): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw inputInvalid({ field: 'body', message: 'is not valid UTF-8; send the text encoded as UTF-8' });
  }
}

/** Parses a JSON body; every refusal says what is refused, not just "not valid JSON". */
export function parseJsonBody(raw: Buffer): unknown {
  const text = decodeUtf8Body(raw);
  if (text.trim() === '') throw new HttpError('body_invalid', 'The body is empty, but the content type says JSON; send a JSON document or no content type.');
  let value: unknown;
  try {
    // V8's JSON.parse does not recurse on the stack, so depth is checked after parsing, iteratively.
    value = JSON.parse(text);
  } catch {
    throw new HttpError('body_invalid', HTTP_ERRORS.body_invalid.message);
  }
  const problem = findInputProblem(value, 'body');
  if (problem) throw inputInvalid(problem);
  return value;
}

/**
 * Replaces fastify's JSON parser (whose prototype-key refusal reads "not valid JSON" and which has no depth bound) and
 * drops its text/plain parser, so JSON sent as text/plain is 415 rather than a string the schema then refuses. Rules
 * routes add their own text parsers in their own plugins. Path and query strings get the same string rule.
 */
export function registerInputRules(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addHook('preValidation', async (request) => {
    const problem = findInputProblem(request.params, 'params') ?? findInputProblem(request.query, 'querystring');
    if (problem) throw inputInvalid(problem);
  });
}
