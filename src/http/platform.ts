// Cross-cutting HTTP concerns registered before any route: security headers, rate limits, OpenAPI and its docs page.
import rateLimit from '@fastify/rate-limit';
import helmet from 'helmet';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyring } from './api-keys.ts';
import { principalOf } from './bearer.ts';
import { HttpError } from './error-catalogue.ts';
import { registerOpenApi } from './openapi.ts';
import { RATE_LIMIT_EXEMPT } from './rate-limit-exempt.ts';

export { RATE_LIMIT_EXEMPT };

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
  // helmet's own middleware, built once: @fastify/helmet built a new one, CSP parsing included, on every request.
  const securityHeaders = helmet({ contentSecurityPolicy: { useDefaults: false, directives: API_CSP } });
  app.addHook('onRequest', (request, reply, next) => securityHeaders(request.raw, reply.raw, (err) => next(err as Error | undefined)));

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

  await registerOpenApi(app);
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP, uiConfig: { persistAuthorization: false } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
