// Cross-cutting HTTP concerns registered before any route: security headers, rate limits, OpenAPI and its docs page.
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { readFileSync } from 'node:fs';
import type { ApiKeyring } from './api-keys.ts';
import { principalOf } from './bearer.ts';
import { HttpError } from './error-catalogue.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Routes a probe hits every few seconds: never rate limited, or an orchestrator would kill a busy instance. */
export const RATE_LIMIT_EXEMPT = new Set(['/healthz', '/readyz']);

/**
 * The rate-limit bucket of a request: the id of its API key when the key is valid, else the client address. A
 * header that is not a valid key must not open a bucket of its own: each wrong guess would get a fresh one, and a
 * random header would lift the per-address limit of public routes.
 */
export function rateLimitKey(request: FastifyRequest, keyring: ApiKeyring): string {
  const principal = principalOf(request, keyring);
  return principal ? `key:${principal.id}` : `ip:${request.ip}`;
}

// The API answers JSON only, so its pages may load nothing; the docs page gets its own policy below.
const API_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] };
// What swagger-ui needs (its scripts and styles are files, no inline script), without upgrade-insecure-requests,
// which would break the page on a plain-http development server.
const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; font-src 'self' data:; frame-ancestors 'self'; img-src 'self' data: validator.swagger.io; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'";

export interface PlatformOptions {
  keyring: ApiKeyring;
  rateLimitPerMinute?: number;
}

/**
 * Registers helmet, the rate limiter and swagger on the root instance. Must run before any route is added:
 * swagger collects routes with an onRoute hook, and the hooks added here apply only to routes added later.
 * The rate limiter runs as an instance-level onRequest hook, so it must also come before the auth hook:
 * requests with a wrong key count against their bucket too.
 */
export async function registerPlatform(app: FastifyInstance, opts: PlatformOptions): Promise<void> {
  await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: API_CSP } });

  await app.register(rateLimit, {
    global: false,
    max: opts.rateLimitPerMinute ?? 1200,
    timeWindow: 60_000,
    keyGenerator: (request) => rateLimitKey(request, opts.keyring),
    allowList: (request) => Boolean(request.routeOptions.url && RATE_LIMIT_EXEMPT.has(request.routeOptions.url)),
    errorResponseBuilder: (request, context) =>
      new HttpError('rate_limited', `Too many requests from this ${principalOf(request, opts.keyring) ? 'API key' : 'address'}; retry in ${context.after} (see Retry-After).`),
  });
  app.addHook('onRequest', app.rateLimit());

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'threadgate',
        version: VERSION,
        description: 'Chat threads that know who the customer is. Errors answer `{ code, message, requestId }`; see docs/errors.md.',
      },
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
      ],
    },
    // Zod schemas become JSON Schema here; routes that declare roles get the bearer scheme and their roles.
    transform: (input) => {
      const out = jsonSchemaTransform(input);
      const roles = input.route.config?.roles;
      if (!roles || !out.schema || (out.schema as { hide?: boolean }).hide) return out;
      const schema = out.schema as Record<string, unknown>;
      const note = `Roles: ${roles.join(', ')}.`;
      return {
        ...out,
        schema: { ...schema, security: [{ bearerAuth: [] }], description: typeof schema.description === 'string' ? `${schema.description}\n\n${note}` : note },
      };
    },
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP, uiConfig: { persistAuthorization: false } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
