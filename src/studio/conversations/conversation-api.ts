// The studio's calls for conversations and the onboarding report, over the admin API (GET /v1/conversations, /v1/conversations/:id, /v1/reports/onboarding).
import { api } from '../api.ts';
import type { ConversationDetail, ConversationPage, OnboardingReport } from './conversation-types.ts';

/** Only the parameters that have a value, so the URL the server logs stays short. */
const query = (params: Record<string, string | number | undefined | null>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

export const listConversations = (params: Record<string, string | number | undefined | null>) => api<ConversationPage>('GET', `/v1/conversations${query(params)}`);
/** Every party's lines: admins read earlier parties too (a runtime key could not). */
export const getConversation = (id: string) => api<ConversationDetail>('GET', `/v1/conversations/${encodeURIComponent(id)}?party=all`);
export const getOnboardingReport = (params: { from: string; to: string; widgetId?: string }) => api<OnboardingReport>('GET', `/v1/reports/onboarding${query(params)}`);
