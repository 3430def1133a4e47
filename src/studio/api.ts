// The studio's only link to threadgate: the admin API on the same origin, with the key the admin pasted (memory + sessionStorage).

/** sessionStorage, never localStorage: the key goes when the tab closes, and it is never put in a URL. */
const STORE_KEY = 'threadgate.studio.adminKey';
let adminKey: string | null = sessionStorage.getItem(STORE_KEY);

export const hasKey = () => adminKey !== null;
export function setKey(key: string) {
  adminKey = key;
  sessionStorage.setItem(STORE_KEY, key);
}
export function forgetKey() {
  adminKey = null;
  sessionStorage.removeItem(STORE_KEY);
}

/** An issue of a 422 rules_invalid answer, or a lint finding: both carry line and column when known. */
export interface Issue {
  code: string;
  message: string;
  severity?: 'error' | 'warning';
  file?: string;
  line?: number;
  column?: number;
  step?: string;
  field?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

type Body = { yaml: string } | { json: unknown } | undefined;

export async function api<T>(method: string, path: string, body?: Body): Promise<T> {
  const headers: Record<string, string> = {};
  if (adminKey) headers.authorization = `Bearer ${adminKey}`;
  let payload: string | undefined;
  if (body && 'yaml' in body) {
    headers['content-type'] = 'application/yaml';
    payload = body.yaml;
  } else if (body && 'json' in body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body.json);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'threadgate does not answer; is the server running?');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as { code?: string; message?: string; issues?: Issue[] } | null;
  // A key that stopped working (revoked, or the wrong role) sends the whole app back to the key screen.
  if (res.status === 401 || res.status === 403) window.dispatchEvent(new CustomEvent('tg-auth-failed', { detail: { status: res.status, message: data?.message ?? '' } }));
  if (!res.ok) throw new ApiError(res.status, data?.code ?? 'http_' + res.status, data?.message ?? res.statusText, data?.issues ?? []);
  return data as T;
}

export interface ThreadSummary {
  id: string;
  activeVersion: number | null;
  draftUpdatedAt: string | null;
}
export interface WidgetSummary {
  id: string;
  updatedAt: string;
  name: string | null;
  onboarding: string | null;
  thread: string | null;
}
export interface VersionSummary {
  id: string;
  version: number;
  publishedAt: string;
  active: boolean;
}

export const listThreads = () => api<{ threads: ThreadSummary[] }>('GET', '/v1/threads').then((r) => r.threads);
export const listWidgets = () => api<{ widgets: WidgetSummary[] }>('GET', '/v1/widgets').then((r) => r.widgets);
export const getDraft = (id: string) => api<{ id: string; updatedAt: string; source: string }>('GET', `/v1/threads/${encodeURIComponent(id)}/draft`);
export const putDraft = (id: string, source: string) => api<{ id: string; updatedAt: string }>('PUT', `/v1/threads/${encodeURIComponent(id)}/draft`, { yaml: source });
export const publish = (id: string) => api<VersionSummary>('POST', `/v1/threads/${encodeURIComponent(id)}/publish`);
export const listVersions = (id: string) => api<{ versions: VersionSummary[] }>('GET', `/v1/threads/${encodeURIComponent(id)}/versions`).then((r) => r.versions);
export const getVersion = (id: string, v: number) => api<VersionSummary & { source: string }>('GET', `/v1/threads/${encodeURIComponent(id)}/versions/${v}`);
export const rollback = (id: string, version: number) => api<VersionSummary>('POST', `/v1/threads/${encodeURIComponent(id)}/rollback`, { json: { version } });
export const getWidget = (id: string) => api<{ id: string; updatedAt: string; source: string }>('GET', `/v1/widgets/${encodeURIComponent(id)}`);
export const putWidget = (id: string, source: string) => api<{ id: string; updatedAt: string }>('PUT', `/v1/widgets/${encodeURIComponent(id)}`, { yaml: source });

/**
 * Every problem of a thread file as the server sees it: compile errors from POST /validate (422 issues), and when
 * it compiles, the linter's warnings from POST /lint. Both are asked at once; nothing is stored.
 */
export async function checkThread(id: string, source: string): Promise<{ valid: boolean; issues: Issue[] }> {
  const enc = encodeURIComponent(id);
  const [validated, linted] = await Promise.allSettled([
    api<{ valid: true; steps: number }>('POST', `/v1/threads/${enc}/validate`, { yaml: source }),
    api<{ findings: Issue[] }>('POST', `/v1/threads/${enc}/lint`, { yaml: source }),
  ]);
  if (validated.status === 'rejected') {
    const err = validated.reason as unknown;
    if (err instanceof ApiError && err.issues.length) return { valid: false, issues: err.issues.map((i) => ({ ...i, severity: 'error' as const })) };
    throw err;
  }
  return { valid: true, issues: linted.status === 'fulfilled' ? linted.value.findings : [] };
}

/**
 * A widget file checked without storing it: POST /v1/evaluate compiles the widget against the thread it runs
 * (its active version). JWT secrets are resolved only on save (PUT), which answers with its own issues.
 */
export async function checkWidget(source: string, threadId: string | null): Promise<{ valid: boolean; issues: Issue[] }> {
  let thread: string | null = null;
  if (threadId) {
    const versions = await listVersions(threadId).catch(() => []);
    const active = versions.find((v) => v.active);
    if (active) thread = (await getVersion(threadId, active.version)).source;
  }
  if (!thread) return { valid: false, issues: [{ code: 'widget_thread_unknown', message: `the thread "${threadId ?? ''}" has no published version; publish it first`, severity: 'error', line: 1, column: 1 }] };
  try {
    await api('POST', '/v1/evaluate', { json: { thread, widget: source, event: { type: 'start' } } });
    return { valid: true, issues: [] };
  } catch (err) {
    if (err instanceof ApiError && err.issues.length) {
      // Issues of the thread itself are not this file's; keep the widget's.
      const mine = err.issues.filter((i) => !i.file || /widget/i.test(i.file));
      return { valid: false, issues: mine.map((i) => ({ ...i, severity: 'error' as const })) };
    }
    throw err;
  }
}
