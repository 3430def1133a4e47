// The error codes each route can answer: the ones it declares next to its schema (config.errors) plus those its kind shares.
import { HTTP_ERRORS, type HttpErrorCode } from './error-catalogue.ts';
import { RATE_LIMIT_EXEMPT } from './rate-limit-exempt.ts';
import { ALWAYS_SERVED } from './shutdown.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The catalogue codes this route answers itself; the shared ones (sharedErrorCodes) are added for the document. */
    errors?: readonly HttpErrorCode[];
  }
}

/** What decides which shared codes a route can answer. */
export interface RouteTraits {
  url: string;
  authenticated: boolean;
  /** It reads a body: a bad one, a large one or one of another media type is refused before the handler. */
  body: boolean;
  /** It has path parameters: one longer than fastify's maxParamLength answers not_found. */
  params: boolean;
}

/**
 * The codes no handler raises but the layers around every route do: the URL check and schema validation, the rate
 * limiter, the shutdown gate, the store, the connection itself (answered before routing), and a bug.
 */
export function sharedErrorCodes(route: RouteTraits): HttpErrorCode[] {
  const codes: HttpErrorCode[] = ['validation_failed', 'request_timeout', 'headers_too_large', 'http_invalid', 'internal', 'store_unavailable'];
  if (!RATE_LIMIT_EXEMPT.has(route.url)) codes.push('rate_limited');
  if (!ALWAYS_SERVED.has(route.url)) codes.push('shutting_down');
  if (route.authenticated) codes.push('unauthorized', 'forbidden');
  // Wrong keys are counted per address on every /v1 route, authenticated or not.
  if (route.url.startsWith('/v1/')) codes.push('rate_limited');
  if (route.body) codes.push('body_invalid', 'payload_too_large', 'unsupported_media_type');
  if (route.params) codes.push('not_found');
  return codes;
}

/** The route's codes in catalogue order, split by the answer range they fall in (4XX, 5XX). */
export function routeErrorCodes(route: RouteTraits, own: readonly HttpErrorCode[] = []): { client: HttpErrorCode[]; server: HttpErrorCode[] } {
  const all = new Set([...sharedErrorCodes(route), ...own]);
  const ordered = (Object.keys(HTTP_ERRORS) as HttpErrorCode[]).filter((c) => all.has(c));
  return { client: ordered.filter((c) => HTTP_ERRORS[c].status < 500), server: ordered.filter((c) => HTTP_ERRORS[c].status >= 500) };
}
