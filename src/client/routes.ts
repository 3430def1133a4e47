// Where each operation lives (method, path) and how it is sent: a run-time table, checked against the service's own by a test.
import type { OperationId } from './operations.ts';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path with `{name}` placeholders, as the OpenAPI document writes it. */
  path: string;
  /** Start and turn honour an Idempotency-Key, so they are the only calls the client ever resends. */
  resend?: true;
  /** What a success carries: JSON (the default), text, or nothing (204). */
  answer?: 'text' | 'none';
}

export const ROUTES: Record<OperationId, Route> = {
  getHealth: { method: 'GET', path: '/healthz' },
  getReadiness: { method: 'GET', path: '/readyz' },
  getMetrics: { method: 'GET', path: '/metrics', answer: 'text' },
  getJwks: { method: 'GET', path: '/.well-known/jwks.json' },
  startConversation: { method: 'POST', path: '/v1/conversations', resend: true },
  listConversations: { method: 'GET', path: '/v1/conversations' },
  postTurn: { method: 'POST', path: '/v1/conversations/{id}/turns', resend: true },
  getConversation: { method: 'GET', path: '/v1/conversations/{id}' },
  getConversationTimeline: { method: 'GET', path: '/v1/conversations/{id}/timeline' },
  putThreadDraft: { method: 'PUT', path: '/v1/threads/{id}/draft' },
  getThreadDraft: { method: 'GET', path: '/v1/threads/{id}/draft' },
  validateThread: { method: 'POST', path: '/v1/threads/{id}/validate' },
  lintThread: { method: 'POST', path: '/v1/threads/{id}/lint' },
  publishThread: { method: 'POST', path: '/v1/threads/{id}/publish' },
  listThreads: { method: 'GET', path: '/v1/threads' },
  listThreadVersions: { method: 'GET', path: '/v1/threads/{id}/versions' },
  getThreadVersion: { method: 'GET', path: '/v1/threads/{id}/versions/{version}' },
  rollbackThread: { method: 'POST', path: '/v1/threads/{id}/rollback' },
  getThreadCoverage: { method: 'POST', path: '/v1/threads/{id}/coverage' },
  putTranscript: { method: 'PUT', path: '/v1/transcripts/{name}' },
  listWidgets: { method: 'GET', path: '/v1/widgets' },
  getWidget: { method: 'GET', path: '/v1/widgets/{id}' },
  putWidget: { method: 'PUT', path: '/v1/widgets/{id}' },
  deleteWidget: { method: 'DELETE', path: '/v1/widgets/{id}', answer: 'none' },
  listProfiles: { method: 'GET', path: '/v1/profiles' },
  getProfile: { method: 'GET', path: '/v1/profiles/{id}' },
  putProfile: { method: 'PUT', path: '/v1/profiles/{id}' },
  listProfileConversations: { method: 'GET', path: '/v1/profiles/{id}/conversations' },
  getOnboardingReport: { method: 'GET', path: '/v1/reports/onboarding' },
  evaluateTurn: { method: 'POST', path: '/v1/evaluate' },
  issueIdentityToken: { method: 'POST', path: '/v1/identity-tokens' },
};

/** The URL path of a call: each `{name}` replaced by its parameter, percent-encoded so an id cannot add path segments. */
export function fillPath(path: string, params: Record<string, unknown>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name])));
}

/** The query string of a call (with its `?`), leaving out undefined values; empty when nothing is set. */
export function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== null) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
