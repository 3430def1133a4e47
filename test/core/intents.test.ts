// The built-in intent matcher: which matcher fires, that the runtime's intent wins, and that unsafe patterns are refused.
import { describe, expect, it } from 'vitest';
import { compileIntent, matchIntent, PATTERN_INPUT_LIMIT, unsafePatternReason } from '../../src/core/intents.ts';
import { isThreadgateError } from '../../src/core/errors.ts';
import { Conversation, texts, threadFrom, widgetFor } from '../helpers/conversation.ts';

const yaml = (patterns: string) => `id: intents
start: idle
intents:
  refund: { keywords: [refund, money back], phrases: ["send it back"] }
  order: { patterns: [${patterns}] }
on:
  message:
    - when: { fact: message.intent, operator: equal, value: refund }
      goto: refund
    - when: { fact: message.intent, operator: equal, value: order }
      goto: order
    - goto: idle
steps:
  idle: {}
  refund: { say: "refund {{message.confidence}}" }
  order: { say: "order {{message.confidence}}" }
`;

async function talk(text: string, extra: Record<string, unknown> = {}) {
  const thread = threadFrom(yaml(String.raw`"\\border [a-z]{0,3}\\d{4,8}\\b"`));
  const c = new Conversation(thread, widgetFor(thread.id));
  await c.send({ type: 'start' });
  return c.send({ type: 'message', text, ...extra });
}

describe('intent matcher', () => {
  it('fires a keyword as a whole word only, with confidence 0.8', async () => {
    const r = await talk('I want a REFUND please');
    expect(r.trace.intent).toEqual({ source: 'matcher', name: 'refund', matcher: 'keyword:refund' });
    expect(texts(r.outputs)).toEqual(['refund 0.8']);
    expect((await talk('refunded already')).trace.intent).toBeNull();
  });

  it('fires a phrase on the normalised text with confidence 1, before keywords', async () => {
    const r = await talk('can I   Send It  back, refund?');
    expect(r.trace.intent).toEqual({ source: 'matcher', name: 'refund', matcher: 'phrase:send it back' });
    expect(texts(r.outputs)).toEqual(['refund 1']);
  });

  it('fires a pattern by index', async () => {
    const r = await talk('where is order AB12345?');
    expect(r.trace.intent).toEqual({ source: 'matcher', name: 'order', matcher: 'pattern:0' });
    expect(texts(r.outputs)).toEqual(['order 1']);
  });

  it("never overrides the runtime's intent", async () => {
    const r = await talk('refund please', { intent: { name: 'order', confidence: 0.4 } });
    expect(r.trace.intent).toEqual({ source: 'runtime', name: 'order' });
    expect(texts(r.outputs)).toEqual(['order 0.4']);
  });
});

describe('pattern safety', () => {
  it.each(['(a+)+$', '(a*)*', '(a|aa)+', '(\\w)\\1', '(?=a)b', '(?<!a)b', '\\s*\\s*x', 'a?a?a?a?a?a?a?a?a?a?aaaaaaaaaa'])(
    'refuses %s at compile time',
    (pattern) => {
      expect(unsafePatternReason(pattern)).not.toBeNull();
      try {
        threadFrom(yaml(JSON.stringify(pattern)));
        expect.unreachable('compiled');
      } catch (err) {
        expect(isThreadgateError(err) && err.issues.map((i) => [i.code, i.field])).toEqual([['intent_pattern_unsafe', 'intents.order.patterns.0']]);
      }
    },
  );

  it('refuses a pattern over 200 characters (the schema refuses it too)', () => {
    expect(unsafePatternReason('x'.repeat(201))).toMatch(/longer than 200/);
  });

  it.each(['\\border #?\\d+', '[(+]+x', '(ab){2,5}', 'r[eé]fund'])('accepts %s', (pattern) => {
    expect(unsafePatternReason(pattern)).toBeNull();
  });

  // The bound on a pattern's work is structural, not timed: the shapes above are refused (at most one unbounded
  // quantifier, none inside a repeated group), and a pattern only ever sees PATTERN_INPUT_LIMIT characters, so the
  // worst accepted shape does at most PATTERN_INPUT_LIMIT² steps however long the message is.
  it('never hands a pattern more than PATTERN_INPUT_LIMIT characters of a message', () => {
    const intent = compileIntent('order', { patterns: ['x'] });
    const seen: number[] = [];
    const real = intent.patterns[0]!;
    intent.patterns[0] = { test: (input: string) => (seen.push(input.length), real.test(input)) } as RegExp;
    const spaces = (n: number) => ' '.repeat(n);
    expect(matchIntent([intent], `${spaces(PATTERN_INPUT_LIMIT - 1)}x`)?.matcher).toBe('pattern:0');
    expect(matchIntent([intent], `${spaces(PATTERN_INPUT_LIMIT)}x`)).toBeNull();
    expect(matchIntent([intent], spaces(10_000))).toBeNull();
    expect(seen).toEqual([PATTERN_INPUT_LIMIT, PATTERN_INPUT_LIMIT, PATTERN_INPUT_LIMIT]);
  });

  it('answers a 10,000-character adversarial message with the worst accepted pattern shape', async () => {
    // One unbounded quantifier is allowed; this is its worst case (backtracks at every start position).
    expect(unsafePatternReason('\\s+\\s{0,20}x')).toBeNull();
    const thread = threadFrom(yaml(JSON.stringify('\\s+\\s{0,20}x')));
    const c = new Conversation(thread, widgetFor(thread.id));
    await c.send({ type: 'start' });
    const r = await c.send({ type: 'message', text: ' '.repeat(10_000) });
    expect(r.trace.intent).toBeNull();
  });
});
