// Rules files sent over HTTP: YAML or plain text kept verbatim (so issues keep their lines) or JSON { source }, under a small limit.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CompiledThread } from '../core/compile.ts';
import type { CompiledWidget } from '../core/compile-widget.ts';
import { ThreadgateError } from '../core/errors.ts';
import { loadSource, parseSource } from '../core/load.ts';
import type { PathKey } from '../core/zod-issues.ts';
import { HttpError } from './error-catalogue.ts';
import { decodeUtf8Body, inputInvalid, stringProblem } from './json-body.ts';

/** Example threads are a few KiB; 128 KiB leaves room for big ones and keeps a hostile body cheap to refuse. */
export const RULES_SOURCE_BODY_LIMIT = 128 * 1024;
export const RULES_SOURCE_MEDIA_TYPES = ['application/yaml', 'text/yaml', 'text/plain'] as const;

/**
 * Registers, in the calling plugin only (fastify encapsulation), a string parser for YAML and text bodies and a
 * catch-all that answers 415 with the media types these routes take, instead of the app's JSON-only message.
 */
export function acceptRulesSource(app: FastifyInstance): void {
  // The app inherits fastify's text/plain parser; ours replaces it here so the limit and the string body are ours.
  if (app.hasContentTypeParser('text/plain')) app.removeContentTypeParser('text/plain');
  app.addContentTypeParser([...RULES_SOURCE_MEDIA_TYPES], { parseAs: 'buffer', bodyLimit: RULES_SOURCE_BODY_LIMIT }, (_request, body, done) => {
    try {
      // The same string rule as JSON bodies: strict UTF-8, no NUL (PostgreSQL text cannot hold it).
      const text = decodeUtf8Body(body as Buffer);
      const problem = stringProblem(text);
      if (problem) throw inputInvalid({ field: 'body', message: problem });
      done(null, text);
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('*', (request, _payload, done) => {
    done(
      new HttpError('unsupported_media_type', `Send the rules file as ${RULES_SOURCE_MEDIA_TYPES.join(', ')} (the file as is), or as application/json { "source": "<the file>" }; got ${request.headers['content-type'] ?? 'no content type'}.`),
      undefined,
    );
  });
}

const SourceText = z.string().min(1).max(RULES_SOURCE_BODY_LIMIT);

/** The body as fastify hands it over: the raw text for YAML/text bodies, an object for JSON. */
export const RulesSourceBody = z
  .union([SourceText.describe('The YAML or JSON file as is (content-type application/yaml, text/yaml or text/plain).'), z.object({ source: SourceText }).strict()])
  .describe('The rules file: YAML/text body, or JSON { source }.');
export type RulesSourceBodyValue = z.infer<typeof RulesSourceBody>;

export const sourceText = (body: RulesSourceBodyValue): string => (typeof body === 'string' ? body : body.source);

/** Line and column of a field, for issues raised here rather than by the compiler. */
function positionOf(text: string, path: readonly PathKey[]): { line?: number; column?: number } {
  try {
    return parseSource(text).locate(path) ?? {};
  } catch {
    return {};
  }
}

type Expected = { kind: 'thread'; id: string } | { kind: 'widget'; id: string };

/**
 * Compiles a rules file sent for one URL: broken files throw the compiler's line-precise issues (422 rules_invalid),
 * a file of the other kind is `kind_unknown` at its `kind` line, and a file whose id is not the URL's is refused,
 * because storing `returns.yaml` under /threads/other would publish a thread under a name it does not answer to.
 */
export function compileFor(text: string, file: string, expected: { kind: 'thread'; id: string }): CompiledThread;
export function compileFor(text: string, file: string, expected: { kind: 'widget'; id: string }): CompiledWidget;
export function compileFor(text: string, file: string, expected: Expected): CompiledThread | CompiledWidget {
  const loaded = loadSource(text, file);
  if (loaded.kind !== expected.kind) {
    throw ThreadgateError.fromIssues([
      { code: 'kind_unknown', message: `this route takes a ${expected.kind} (kind: ${expected.kind}); the file holds a ${loaded.kind}`, file, field: 'kind', ...positionOf(text, ['kind']) },
    ]);
  }
  const compiled = loaded.kind === 'thread' ? loaded.thread : loaded.widget;
  if (compiled.id !== expected.id) {
    const at = positionOf(text, ['id']);
    const message = `The file's id is "${compiled.id}" but the URL names "${expected.id}"; make them equal.`;
    throw new HttpError('rules_id_mismatch', message, { issues: [{ code: 'rules_id_mismatch', message, file, field: 'id', ...at }] });
  }
  return compiled;
}
