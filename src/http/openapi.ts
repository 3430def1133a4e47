// The OpenAPI document: zod schemas become JSON Schema, each route gets its operationId, security, success status and error answers.
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { OPERATIONS, operationKey } from './operation-ids.ts';
import { ErrorBodySchema } from './schemas/error-body.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type RouteSchema = Record<string, unknown> & { response?: Record<string, unknown>; hide?: boolean };

const errorAnswer = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBodySchema } } });

/** Adds what every documented route answers besides its success: the shared error body for 4XX and 5XX. */
function withAnswers(schema: RouteSchema, status: number | undefined, authenticated: boolean): RouteSchema {
  const response: Record<string, unknown> = { ...(schema.response ?? {}) };
  if (status === 204) response[204] ??= z.null().describe('Done; no body.');
  else if (status === 201) response[201] ??= z.looseObject({}).describe('Created.');
  // Not yet described by a schema of its own: the status is still right, the body shape is in docs/api.md.
  else if (!Object.keys(response).some((k) => k.startsWith('2'))) response[200] ??= z.unknown().describe('OK; the body is described in docs/api.md.');
  const client = authenticated ? 'The request is invalid (400), lacks a valid API key (401), the role may not call it (403), names nothing (404), conflicts (409) or is refused (422), or the client is rate limited (429).' : 'The request is invalid (400) or rate limited (429).';
  response['4XX'] ??= errorAnswer(`${client} \`code\` says which (docs/errors.md).`);
  response['5XX'] ??= errorAnswer('The database cannot serve the request now (503 store_unavailable, with Retry-After), the service is not ready or shutting down (503), or a bug (500 internal).');
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
      const out = jsonSchemaTransform({ ...input, schema: withAnswers(schema, operation.status, Boolean(roles)) as TransformInput['schema'] });
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
