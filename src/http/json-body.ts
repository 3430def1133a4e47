// The JSON body parser of every route: strict UTF-8, plain JSON.parse, then one walk that bounds the nesting, names a refused `__proto__` key and holds every string to one rule; the same rule on path and query.
import type { FastifyInstance } from 'fastify';
import { HttpError } from './error-catalogue.ts';

/** Deeper than any event, rules document or report query needs; the store's JSON checks and zod recurse per level. */
export const JSON_MAX_DEPTH = 64;

/**
 * The one rule for every string a caller sends: no NUL (PostgreSQL text cannot hold it, and no name or message needs
 * it) and no lone surrogate half (it is not text; the stores would silently turn it into U+FFFD).
 */
export function stringProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (!(s as string & { isWellFormed(): boolean }).isWellFormed()) return 'must be well-formed Unicode (it holds a lone surrogate)';
  return null;
}

/**
 * Where a parsed value under `root` (`body`, `params`, `querystring`) breaks a rule, or null. Iterative, so a hostile
 * body nested 100,000 deep costs a loop, not the stack. `__proto__` and `constructor.prototype` are refused by name:
 * valid JSON, but a key no API field has and the classic prototype-pollution probe.
 */
export function bodyProblem(value: unknown, root = 'body'): { field: string; message: string } | null {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: root }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v === 'string') {
      const bad = stringProblem(v);
      if (bad) return { field: path, message: bad };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= JSON_MAX_DEPTH) return { field: path, message: `the ${root} is nested deeper than ${JSON_MAX_DEPTH} levels` };
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push({ v: v[i], depth: depth + 1, path: `${path}.${i}` });
      continue;
    }
    for (const key of Object.keys(v)) {
      const badKey = stringProblem(key);
      if (badKey) return { field: `${path}.${JSON.stringify(key)}`, message: `a key ${badKey}` };
      if (key === '__proto__') return { field: `${path}.__proto__`, message: 'a key named __proto__ is not accepted' };
      const child = (v as Record<string, unknown>)[key];
      if (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype')) {
        return { field: `${path}.constructor.prototype`, message: 'a constructor.prototype key is not accepted' };
      }
      stack.push({ v: child, depth: depth + 1, path: `${path}.${key}` });
    }
  }
  return null;
}

/** The 400 of an input that breaks a rule: validation_failed naming the field, like a schema error. */
export function inputInvalid(problem: { field: string; message: string }): HttpError {
  return new HttpError('validation_failed', `Invalid request: ${problem.field}: ${problem.message}.`, { issues: [problem] });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a body as UTF-8, refusing bytes that are not UTF-8 instead of turning them into U+FFFD silently. */
export function decodeUtf8Body(raw: Buffer): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw inputInvalid({ field: 'body', message: 'is not valid UTF-8; send the text encoded as UTF-8' });
  }
}

/**
 * Replaces fastify's JSON parser (secure-json-parse, whose refusals all read "not valid JSON") and its text/plain
 * parser: JSON sent as text/plain is a 415, not a string that fails the schema. Routes that take text (rules files)
 * register their own parsers in their plugin. Path parameters and query strings get the same string rule.
 */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, raw, done) => {
    let body: string;
    try {
      body = decodeUtf8Body(raw as Buffer);
    } catch (err) {
      return done(err as Error, undefined);
    }
    if (body.length === 0) return done(new HttpError('body_invalid', 'The body is empty; send a JSON object (or no content-type at all).'), undefined);
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (e) {
      return done(new HttpError('body_invalid', `The body is not valid JSON: ${(e as Error).message.replace(/\s+/g, ' ').slice(0, 200)}.`), undefined);
    }
    const problem = bodyProblem(value);
    if (problem) return done(inputInvalid(problem), undefined);
    done(null, value);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const problem = bodyProblem(request.params, 'params') ?? bodyProblem(request.query, 'querystring');
    done(problem ? inputInvalid(problem) : undefined);
  });
}
