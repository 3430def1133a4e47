// The core's side of lookups: the compiled declaration and the request it hands to the runtime, which performs it.
import type { Facts } from './facts.ts';
import type { ResponseSchema } from './lookup-schema.ts';
import type { LookupRequest } from './outputs.ts';
import { renderTemplate, type Template } from './template.ts';

export interface CompiledLookup {
  name: string;
  url: Template;
  method: 'GET' | 'POST';
  body: Record<string, Template> | null;
  timeoutMs: number;
  retries: number;
  maxBytes: number;
  trustedOnly: boolean;
  response: ResponseSchema | null;
}

export const LOOKUP_DEFAULTS = { timeoutMs: 3000, retries: 2, maxBytes: 65536 } as const;

/** Whether a URL template can only ever render to an http(s) URL with a fixed host (placeholders stand in as `x`). */
export function urlTemplateProblem(t: Template): string | null {
  const first = t.parts[0];
  // A placeholder in the scheme or host would let a customer-controlled value pick the server.
  const head = typeof first === 'string' ? first : '';
  const m = /^https?:\/\/[^/?#{]+[/?#]?/i.exec(head);
  if (!m || (t.parts.length > 1 && !/[/?#]$/.test(m[0]) && m[0].length === head.length)) {
    return 'the URL must start with http:// or https:// and a fixed host; placeholders may only come after the host';
  }
  const sample = t.parts.map((p) => (typeof p === 'string' ? p : 'x')).join('');
  try {
    new URL(sample);
    return null;
  } catch {
    return `not a valid URL: ${t.source}`;
  }
}

/** Renders the request: URL values are URL-encoded, body values are sent as they are (JSON, not HTML). */
export function lookupRequest(l: CompiledLookup, facts: Facts): LookupRequest {
  return {
    url: renderTemplate(l.url, facts, { escape: encodeURIComponent }),
    method: l.method,
    body: l.body ? Object.fromEntries(Object.entries(l.body).map(([k, t]) => [k, renderTemplate(t, facts, { escape: false })])) : null,
    timeoutMs: l.timeoutMs,
    retries: l.retries,
    maxBytes: l.maxBytes,
  };
}
