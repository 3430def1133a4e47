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
    ['Hi {{auth.email or auth.firstName | friend}}', 'Hi Ana'],
    ['Hi {{profile.attributes.tier or auth.email | friend}}', 'Hi friend'],
    ['Hi {{auth.email  or  profile.attributes.tier or auth.firstName}}', 'Hi Ana'],
  ])('%j renders %j', (source, expected) => {
    expect(renderTemplate(parseTemplate(source), facts)).toBe(expected);
  });

  it('escapes values and fallbacks, not the authored text', () => {
    const t = parseTemplate('<b>{{slots.v | <i>}}</b>');
    expect(renderTemplate(t, { slots: { v: '<script>alert("x")</script>' } })).toBe('<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</b>');
    expect(renderTemplate(t, { slots: {} })).toBe('<b>&lt;i&gt;</b>');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('keeps each fact a placeholder may read, in order, for the compile-time checks', () => {
    const [part] = parseTemplate('{{auth.firstName or profile.firstName | there}}').parts;
    expect(part).toEqual({ fact: 'auth', path: ['firstName'], or: [{ fact: 'profile', path: ['firstName'] }], fallback: 'there', source: '{{auth.firstName or profile.firstName | there}}' });
  });

  it.each(['{{ }}', '{{auth.}}', 'a {{ b', 'a }} b', '{{a b}}', '{{ auth.name() }}', '{{auth.name or}}', '{{or auth.name}}', '{{auth.name or or x.y}}'])('refuses %j', (source) => {
    expect(() => parseTemplate(source)).toThrow();
  });
});
