// The operationId of every documented route: a route missing here fails start-up.

export interface Operation {
  id: string;
}

export const OPERATIONS: Record<string, Operation> = {
  'GET /healthz': { id: 'getHealth' },
  'GET /readyz': { id: 'getReadiness' },
  'GET /metrics': { id: 'getMetrics' },
  'GET /.well-known/jwks.json': { id: 'getJwks' },
  'POST /v1/conversations': { id: 'startConversation' },
  'GET /v1/conversations': { id: 'listConversations' },
  'POST /v1/conversations/{id}/turns': { id: 'postTurn' },
  'GET /v1/conversations/{id}': { id: 'getConversation' },
  'GET /v1/conversations/{id}/timeline': { id: 'getConversationTimeline' },
  'PUT /v1/threads/{id}/draft': { id: 'putThreadDraft' },
  'GET /v1/threads/{id}/draft': { id: 'getThreadDraft' },
  'POST /v1/threads/{id}/validate': { id: 'validateThread' },
  'POST /v1/threads/{id}/lint': { id: 'lintThread' },
  'POST /v1/threads/{id}/publish': { id: 'publishThread' },
  'GET /v1/threads': { id: 'listThreads' },
  'GET /v1/threads/{id}/versions': { id: 'listThreadVersions' },
  'GET /v1/threads/{id}/versions/{version}': { id: 'getThreadVersion' },
  'POST /v1/threads/{id}/rollback': { id: 'rollbackThread' },
  'POST /v1/threads/{id}/coverage': { id: 'getThreadCoverage' },
  'PUT /v1/transcripts/{name}': { id: 'putTranscript' },
  'GET /v1/widgets': { id: 'listWidgets' },
  'GET /v1/widgets/{id}': { id: 'getWidget' },
  'PUT /v1/widgets/{id}': { id: 'putWidget' },
  'DELETE /v1/widgets/{id}': { id: 'deleteWidget' },
  'GET /v1/profiles': { id: 'listProfiles' },
  'GET /v1/profiles/{id}': { id: 'getProfile' },
  'PUT /v1/profiles/{id}': { id: 'putProfile' },
  'GET /v1/profiles/{id}/conversations': { id: 'listProfileConversations' },
  'GET /v1/reports/onboarding': { id: 'getOnboardingReport' },
  'POST /v1/evaluate': { id: 'evaluateTurn' },
  'POST /v1/identity-tokens': { id: 'issueIdentityToken' },
};

/** The document's key of a route: fastify's `:id` becomes OpenAPI's `{id}`. */
export const operationKey = (method: string, url: string): string => `${method.toUpperCase()} ${url.replace(/:([A-Za-z_]\w*)/g, '{$1}')}`;
