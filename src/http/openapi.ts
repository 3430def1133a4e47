// The OpenAPI document: zod schemas become JSON Schema, each route gets its operationId, security and its error answers with their codes.
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { HTTP_ERRORS, type HttpErrorCode } from './error-catalogue.ts';
import { OPERATIONS, operationKey } from './operation-ids.ts';
import { routeErrorCodes, type RouteTraits } from './route-errors.ts';
import { ErrorBodySchema } from './schemas/error-body.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type RouteSchema = Record<string, unknown> & { response?: Record<string, unknown>; hide?: boolean };

/** The error body with this route's codes: the shared Error schema, its `code` narrowed to what the route can answer. */
const errorAnswer = (description: string, codes: HttpErrorCode[]) => ({
  description: `${description} \`code\` is one of: ${codes.map((c) => `${c} (${HTTP_ERRORS[c].status})`).join(', ')} (docs/errors.md).`,
  content: { 'application/json': { schema: z.intersection(ErrorBodySchema, z.looseObject({ code: z.enum(codes as [HttpErrorCode, ...HttpErrorCode[]]) })) } },
});

/** Adds what every documented route answers besides its success: the shared error body for 4XX and 5XX, with the route's codes. */
function withAnswers(schema: RouteSchema, key: string, traits: RouteTraits, own: readonly HttpErrorCode[] | undefined): RouteSchema {
  const response: Record<string, unknown> = { ...(schema.response ?? {}) };
  // Every route declares its success answer, so fastify serializes through it; one that does not is refused at start-up.
  if (!Object.keys(response).some((k) => k.startsWith('2'))) throw new Error(`${key} declares no success answer (schema.response[200|201|204]); see src/http/schemas/`);
  const { client, server } = routeErrorCodes(traits, own);
  response['4XX'] ??= errorAnswer('Refused.', client);
  response['5XX'] ??= errorAnswer('The service cannot answer now (Retry-After says when to retry where it applies), or a bug.', server);
  return { ...schema, response };
}

/** The zod provider emits an input and an output variant of each named schema; drop the ones nothing refers to. */
type OpenApiDocument = ReturnType<typeof jsonSchemaTransformObject>;

function withoutUnusedSchemas(document: OpenApiDocument): OpenApiDocument {
  const doc = document as { components?: { schemas?: Record<string, unknown> } };
  let schemas = doc.components?.schemas;
  if (!schemas) return document;
  const { components: _, ...rest } = doc;
  // Until nothing changes: a schema used only by an unused one is unused too.
  for (let before = -1; before !== Object.keys(schemas).length; ) {
    before = Object.keys(schemas).length;
    const kept: Record<string, unknown> = schemas;
    schemas = Object.fromEntries(Object.entries(kept).filter(([name]) => JSON.stringify({ ...rest, others: Object.entries(kept).filter(([n]) => n !== name) }).includes(`"#/components/schemas/${name}"`)));
  }
  return { ...doc, components: { ...doc.components, schemas } } as OpenApiDocument;
}

/** Registers @fastify/swagger; must run before any route is added, since it collects routes with an onRoute hook. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'threadgate',
        version: VERSION,
        description: 'Chat threads that know who the customer is. Errors answer `{ code, message, requestId }`; see docs/errors.md.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: '/', description: 'The server that serves this document' }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key from the keys file (data/api-keys.json on first start): `Authorization: Bearer <key>`.' },
        },
      },
      tags: [
        { name: 'conversations', description: 'The bot runtime: start conversations and post turns' },
        { name: 'threads', description: 'Admin: drafts, published versions, rollback' },
        { name: 'widgets', description: 'Admin: widget files' },
        { name: 'profiles', description: 'Admin: the customer directory' },
        { name: 'reports', description: 'Admin: onboarding report' },
        { name: 'evaluate', description: 'Admin: simulate a turn without storing anything' },
        { name: 'identity', description: 'threadgate as a User Identity JWT issuer' },
        { name: 'platform', description: 'Health, readiness and metrics (public)' },
        { name: 'transcripts', description: 'Admin: transcripts saved from the studio' },
      ],
    },
    // Routes that declare roles get the bearer scheme and their roles; the others say they are public.
    transform: (input: TransformInput) => {
      const schema = input.schema as RouteSchema | undefined;
      if (!schema || schema.hide) return jsonSchemaTransform(input);
      const method = Array.isArray(input.route.method) ? input.route.method[0]! : input.route.method;
      const operation = OPERATIONS[operationKey(method, input.url)];
      // A route added without an entry would reach the document without an id: refuse at start-up, where a test sees it.
      if (!operation) throw new Error(`src/http/operation-ids.ts has no operationId for ${operationKey(method, input.url)}`);
      const roles = input.route.config?.roles;
      const traits = { url: input.url, authenticated: Boolean(roles), body: schema.body !== undefined, params: schema.params !== undefined };
      const answers = withAnswers(schema, operationKey(method, input.url), traits, input.route.config?.errors);
      const out = jsonSchemaTransform({ ...input, schema: answers as TransformInput['schema'] });
      const documented = out.schema as Record<string, unknown>;
      const note = roles ? `Roles: ${roles.join(', ')}.` : null;
      const description = [documented.description, note].filter((d) => typeof d === 'string').join('\n\n');
      return {
        ...out,
        schema: { ...documented, operationId: operation.id, security: roles ? [{ bearerAuth: [] }] : [], ...(description ? { description } : {}) },
      };
    },
    transformObject: (input) => withoutUnusedSchemas(jsonSchemaTransformObject(input)),
  });
}
