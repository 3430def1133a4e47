// Compiling the thread's built-in intent matchers; a matcher with an unsafe pattern is reported and left out.
import type { Problems } from './compile-problems.ts';
import { compileIntent, unsafePatternReason, type CompiledIntent } from './intents.ts';
import type { ThreadDoc } from './thread.schema.ts';

export function compileIntents(doc: ThreadDoc, p: Problems): CompiledIntent[] {
  const intents: CompiledIntent[] = [];
  for (const [name, m] of Object.entries(doc.intents ?? {})) {
    if (!m.keywords?.length && !m.phrases?.length && !m.patterns?.length) p.add('schema_invalid', ['intents', name], 'an intent needs `keywords`, `phrases` or `patterns`');
    const unsafe = (m.patterns ?? []).map((src, i) => {
      const reason = unsafePatternReason(src);
      if (reason) p.add('intent_pattern_unsafe', ['intents', name, 'patterns', i], `pattern ${JSON.stringify(src)} refused: ${reason}`);
      return reason;
    });
    if (!unsafe.some(Boolean)) intents.push(compileIntent(name, m));
  }
  return intents;
}
