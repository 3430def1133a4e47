// Templates: placeholders, fallbacks, escaping and malformed input.
import { describe, expect, it } from 'vitest';
import { escapeHtml, parseTemplate, renderTemplate } from '../../src/core/template.ts';

const facts = { auth: { firstName: 'Ana', email: null }, slots: { n: 0, ok: false, list: ['a', 'b'] }, scenario: 'ideal', profile: { attributes: {} } };

describe('templates', () => {
  it.each([
    ['Hi {{auth.firstName}}', 'Hi Ana'],
    ['Hi {{ auth.email | friend }}', 'Hi friend'],
    ['Hi {{auth.email|"dear friend"}}!', 'Hi dear friend!'],
    ["Hi {{auth.email | 'x | y'}}", 'Hi x | y'],
    ['{{auth.email}}.', '.'],
    ['{{slots.n}} {{slots.ok}} {{slots.list}}', '0 false a, b'],
    ['{{scenario}}', 'ideal'],
    ['{{profile.attributes.tier | none}}', 'none'],
    ['{{profile.attributes | none}}', 'none'],
    ['no placeholders', 'no placeholders'],
  ])('%j renders %j', (source, expected) => {
    expect(renderTemplate(parseTemplate(source), facts)).toBe(expected);
  });

  it('escapes values and fallbacks, not the authored text', () => {
    const t = parseTemplate('<b>{{slots.v | <i>}}</b>');
    expect(renderTemplate(t, { slots: { v: '<script>alert("x")</script>' } })).toBe('<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</b>');
    expect(renderTemplate(t, { slots: {} })).toBe('<b>&lt;i&gt;</b>');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it.each(['{{ }}', '{{auth.}}', 'a {{ b', 'a }} b', '{{a b}}', '{{ auth.name() }}'])('refuses %j', (source) => {
    expect(() => parseTemplate(source)).toThrow();
  });
});
