// Validation of a customer's answer to an `ask` step, per slot type, into the value stored in the slot.
import type { CompiledAsk } from './compile.ts';
import { normalizeEmail, normalizePhone } from './normalize.ts';

export type AnswerResult = { ok: true; value: string | boolean } | { ok: false; reason: string };

const YES = new Set(['yes', 'y', 'yeah', 'yep', 'yup', 'sure', 'ok', 'okay', 'true', 'correct', 'oui', 'si', 'ja']);
const NO = new Set(['no', 'n', 'nope', 'nah', 'false', 'wrong', 'non', 'nein']);

const fold = (s: string) => s.trim().toLowerCase().replace(/[.!?]+$/, '').replace(/\s+/g, ' ');

/** Checks an answer; `defaultCountry` comes from the ask, else the widget, for numbers without +prefix. */
export function validateAnswer(ask: CompiledAsk, text: string, widgetCountry: string | null): AnswerResult {
  const trimmed = text.trim();
  switch (ask.type) {
    case 'text':
      if (trimmed.length === 0) return { ok: false, reason: 'empty answer' };
      if (trimmed.length > ask.maxLength) return { ok: false, reason: `longer than ${ask.maxLength} characters` };
      return { ok: true, value: trimmed };
    case 'email': {
      const email = normalizeEmail(trimmed);
      return email ? { ok: true, value: email } : { ok: false, reason: 'not an email address' };
    }
    case 'phone': {
      const phone = normalizePhone(trimmed, ask.defaultCountry ?? widgetCountry ?? undefined);
      return phone ? { ok: true, value: phone } : { ok: false, reason: 'not a valid phone number' };
    }
    case 'yes_no': {
      const f = fold(trimmed);
      if (YES.has(f)) return { ok: true, value: true };
      if (NO.has(f)) return { ok: true, value: false };
      return { ok: false, reason: 'neither yes nor no' };
    }
    case 'choice': {
      const f = fold(trimmed);
      const n = /^\d{1,3}$/.test(f) ? Number(f) : NaN;
      if (Number.isInteger(n) && n >= 1 && n <= ask.choices.length) return { ok: true, value: ask.choices[n - 1]!.id };
      const hit = ask.choices.find((c) => [c.id, c.label, ...c.synonyms].some((s) => fold(s) === f));
      return hit ? { ok: true, value: hit.id } : { ok: false, reason: 'not one of the choices' };
    }
  }
}
