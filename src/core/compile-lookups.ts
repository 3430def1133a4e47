// Compiling the thread's declared lookups: URL and body templates checked, defaults filled in.
import type { CompileScope } from './compile-scope.ts';
import { LOOKUP_DEFAULTS, urlTemplateProblem, type CompiledLookup } from './lookup.ts';
import type { PathKey } from './zod-issues.ts';

export function compileLookups(s: CompileScope): Map<string, CompiledLookup> {
  const lookups = new Map<string, CompiledLookup>();
  for (const [name, l] of Object.entries(s.doc.lookups ?? {})) {
    const at: PathKey[] = ['lookups', name];
    const url = s.template(l.url, [...at, 'url']);
    const urlProblem = urlTemplateProblem(url);
    if (urlProblem) s.p.add('schema_invalid', [...at, 'url'], urlProblem);
    lookups.set(name, {
      name,
      url,
      method: l.method ?? 'GET',
      body: l.body ? Object.fromEntries(Object.entries(l.body).map(([k, v]) => [k, s.template(v, [...at, 'body', k])])) : null,
      timeoutMs: l.timeoutMs ?? LOOKUP_DEFAULTS.timeoutMs,
      retries: l.retries ?? LOOKUP_DEFAULTS.retries,
      maxBytes: l.maxBytes ?? LOOKUP_DEFAULTS.maxBytes,
      trustedOnly: l.trustedOnly ?? true,
      response: l.response ?? null,
    });
  }
  return lookups;
}
