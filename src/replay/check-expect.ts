// Compares what a turn produced with the transcript's expectations; each mismatch names its path.
import type { Output, TurnTrace } from '../core/outputs.ts';
import type { TurnResponse } from '../runtime/conversation-service.ts';
import type { Expect } from './transcript.schema.ts';

/** A timeline line the turn wrote, as GET /v1/conversations/:id shows it. */
export interface TurnLine {
  from: string;
  text: string;
  party: number;
  trusted: boolean | null;
  indicator: 'green' | 'gray' | null;
}

/** What the service answered: a turn response (with the lines it wrote), or a refusal with an error code (as HTTP would answer 4xx). */
export type TurnOutcome = { ok: true; body: TurnResponse; timeline?: TurnLine[] } | { ok: false; code: string; message?: string };

export interface Mismatch {
  path: string;
  expected: unknown;
  actual: unknown;
}

export const botTexts = (outputs: Output[]): string[] => outputs.flatMap((o) => (o.type === 'message' ? [o.text] : []));
const actionsOf = (outputs: Output[]) => outputs.flatMap((o) => (o.type === 'action' ? [o.action] : []));
const noticesOf = (outputs: Output[]) => outputs.flatMap((o) => (o.type === 'notice' ? [o.code] : []));
const lookupsOf = (outputs: Output[]) => outputs.flatMap((o) => (o.type === 'lookup' ? [{ name: o.name, step: o.step, ...o.request }] : []));
const generatesOf = (outputs: Output[]) => outputs.flatMap((o) => (o.type === 'generate' ? [o] : []));

type BotText = string | { regex: string };
const textMatches = (want: BotText, got: string | undefined) => got !== undefined && (typeof want === 'string' ? want === got : new RegExp(want.regex).test(got));
const showText = (want: BotText) => (typeof want === 'string' ? want : `/${want.regex}/`);

/** Partial match: every key the expectation names must match; arrays and scalars match exactly. */
function partialMatch(want: unknown, got: unknown): boolean {
  if (want && typeof want === 'object' && !Array.isArray(want)) {
    if (!got || typeof got !== 'object' || Array.isArray(got)) return false;
    return Object.entries(want).every(([k, v]) => partialMatch(v, (got as Record<string, unknown>)[k]));
  }
  return JSON.stringify(want) === JSON.stringify(got);
}

const branchLabel = (b: { index: number; name?: string } | undefined) => (b ? (b.name ?? `#${b.index}`) : null);

/** The winning branch of the last step that made a decision, as "step.name"; a plain `next: step` decides nothing. */
export function lastBranch(trace: TurnTrace | undefined): { step: string; label: string } | null {
  const steps = trace?.steps ?? [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (s.chosen === null || s.chosen === undefined || !s.branches) continue;
    if (s.branches.length === 1 && s.branches[0]!.default) continue;
    const label = branchLabel(s.branches.find((b) => b.index === s.chosen) ?? s.branches[s.chosen]);
    if (label) return { step: s.step, label };
  }
  return null;
}

/** The identity handlers that ran, as "event.branch name" (or "event" when the handler is a plain goto). */
export function handlersRun(trace: TurnTrace | undefined): { event: string; label: string | null }[] {
  return (trace?.handlers ?? []).map((h) => ({ event: h.event, label: h.chosen === null ? null : branchLabel(h.branches.find((b) => b.index === h.chosen) ?? h.branches[h.chosen]) }));
}

export function checkExpect(expect: Expect | undefined, outcome: TurnOutcome): Mismatch[] {
  const out: Mismatch[] = [];
  const e = expect ?? {};
  if (!outcome.ok) {
    // A refused turn produced nothing else to compare; an unexpected refusal is the one thing to report.
    if (e.error !== outcome.code) out.push({ path: 'error', expected: e.error ?? 'no error', actual: `${outcome.code}${outcome.message ? `: ${outcome.message}` : ''}` });
    return out;
  }
  const b = outcome.body;
  const texts = botTexts(b.outputs);
  const turnErrors = b.outputs.flatMap((o) => (o.type === 'error' ? [o.code] : []));
  if (e.error !== undefined ? !turnErrors.includes(e.error as never) : turnErrors.length > 0) out.push({ path: 'error', expected: e.error ?? 'no error', actual: turnErrors.length ? turnErrors : 'no error' });
  if (e.bot && (e.bot.length !== texts.length || e.bot.some((w, i) => !textMatches(w, texts[i])))) out.push({ path: 'bot', expected: e.bot.map(showText), actual: texts });
  for (const [i, w] of (e.botIncludes ?? []).entries()) {
    if (!texts.some((t) => textMatches(w, t))) out.push({ path: `botIncludes[${i}]`, expected: showText(w), actual: texts });
  }
  if (e.actions) {
    const got = actionsOf(b.outputs);
    if (e.actions.length !== got.length || e.actions.some((w, i) => !partialMatch(w, got[i]))) out.push({ path: 'actions', expected: e.actions, actual: got });
  }
  // Lookups and generated replies: exactly this many, each checked on the fields it names (facts partially too).
  for (const [key, got] of [['lookups', lookupsOf(b.outputs)], ['generate', generatesOf(b.outputs)]] as const) {
    const want = e[key];
    if (want && (want.length !== got.length || want.some((w, i) => !partialMatch(w, got[i])))) out.push({ path: key, expected: want, actual: got });
  }
  if (e.intent !== undefined) {
    const got = b.trace?.intent ?? null;
    const label = got ? (got.matcher ? `${got.name} (${got.matcher})` : got.name) : null;
    if (e.intent !== (got?.name ?? null) && e.intent !== label) out.push({ path: 'intent', expected: e.intent, actual: label });
  }
  if (e.notices) {
    const got = noticesOf(b.outputs);
    if (JSON.stringify(e.notices) !== JSON.stringify(got)) out.push({ path: 'notices', expected: e.notices, actual: got });
  }
  for (const k of ['status', 'method', 'trusted'] as const) {
    if (e.identity?.[k] !== undefined && e.identity[k] !== b.identity[k]) out.push({ path: `identity.${k}`, expected: e.identity[k], actual: b.identity[k] });
  }
  if (e.trusted !== undefined && e.trusted !== b.trusted) out.push({ path: 'trusted', expected: e.trusted, actual: b.trusted });
  for (const k of ['match', 'id', 'pastConversations'] as const) {
    if (e.profile?.[k] !== undefined && e.profile[k] !== b.profile[k]) out.push({ path: `profile.${k}`, expected: e.profile[k], actual: b.profile[k] });
  }
  if (e.indicator !== undefined && e.indicator !== b.indicator) out.push({ path: 'indicator', expected: e.indicator, actual: b.indicator });
  for (const k of ['transcript', 'rating', 'form', 'loginUrl'] as const) {
    if (e.capabilities?.[k] !== undefined && e.capabilities[k] !== b.capabilities[k]) out.push({ path: `capabilities.${k}`, expected: e.capabilities[k], actual: b.capabilities[k] });
  }
  if (e.timeline) {
    const got = outcome.timeline ?? [];
    const fits = ({ text, ...rest }: (typeof e.timeline)[number], g: TurnLine | undefined) => g !== undefined && (text === undefined || textMatches(text, g.text)) && partialMatch(rest, g);
    if (e.timeline.length !== got.length || e.timeline.some((w, i) => !fits(w, got[i]))) {
      out.push({ path: 'timeline', expected: e.timeline.map((w) => (w.text === undefined ? w : { ...w, text: showText(w.text) })), actual: got });
    }
  }
  for (const k of ['scenario', 'step', 'status'] as const) {
    if (e[k] !== undefined && e[k] !== b[k]) out.push({ path: k, expected: e[k], actual: b[k] });
  }
  if (e.rejection !== undefined && e.rejection !== (b.trace?.identity.rejection ?? null)) out.push({ path: 'rejection', expected: e.rejection, actual: b.trace?.identity.rejection ?? null });
  if (e.branch !== undefined) {
    const got = lastBranch(b.trace);
    if (!got || (e.branch !== got.label && e.branch !== `${got.step}.${got.label}`)) out.push({ path: 'branch', expected: e.branch, actual: got ? `${got.step}.${got.label}` : 'no branch chosen' });
  }
  if (e.handler !== undefined) {
    const got = handlersRun(b.trace);
    if (!got.some((h) => e.handler === h.event || (h.label !== null && e.handler === `${h.event}.${h.label}`))) {
      out.push({ path: 'handler', expected: e.handler, actual: got.length ? got.map((h) => (h.label ? `${h.event}.${h.label}` : h.event)) : 'no handler ran' });
    }
  }
  return out;
}
