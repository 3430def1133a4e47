// evaluateTurn(thread, state, event, ctx): the pure transition of one conversation turn.
import type { CompiledAction, CompiledStep, BranchSet, CompiledThread } from './compile.ts';
import type { CompiledWidget } from './compile-widget.ts';
import { TurnEventSchema, type TokenResult, type TurnEvent, type ProfileRecord } from './events.ts';
import { buildFacts, type Facts, type IdentityChange } from './facts.ts';
import { authenticate, clearUser, identify, normalizeUser, type IdentityCtx, type IdentityStep } from './identity.ts';
import { validateAnswer } from './answers.ts';
import type { BranchTrace, NoticeCode, OutAction, Output, StepTrace, TurnResult, TurnTrace } from './outputs.ts';
import { runBranchEngine } from './rules-engine.ts';
import { deriveScenario, draftOf, isTrustedAt, type ConversationState } from './state.ts';
import { renderTemplate } from './template.ts';
import type { HandlerEvent, Scalar } from './thread.schema.ts';
import { generateOutput, trustLevel } from './generate.ts';
import { matchIntent } from './intents.ts';
import { lookupRequest } from './lookup.ts';
import { checkResponse } from './lookup-schema.ts';

export interface TurnContext {
  /** The moment of the turn; the core never reads the clock. */
  now: Date | string;
  /** Id generator for records the turn creates (new profiles); the core never draws random numbers. */
  newId: () => string;
  widget: CompiledWidget;
}

const DEFAULT_ASK_ERRORS: Record<string, string> = {
  text: "Sorry, I didn't get that.",
  email: "That doesn't look like an email address.",
  phone: "That doesn't look like a phone number. Please include the country code, like +1 415 555 0123.",
  choice: 'Please pick one of the options.',
  yes_no: 'Please answer yes or no.',
};

/** One turn in progress: a private draft of the state plus what the turn has said and seen. */
class Turn {
  readonly outputs: Output[] = [];
  readonly steps: StepTrace[] = [];
  readonly handlers: TurnTrace['handlers'] = [];
  readonly notes: string[] = [];
  change: IdentityChange = null;
  rejection: string | null = null;
  readonly nowSeconds: number;
  readonly nowIso: string;
  /** Where this turn's `message.intent` came from, for the trace. */
  readonly intent: TurnTrace['intent'] = null;
  private readonly matched: { name: string; confidence: number } | null = null;

  constructor(
    readonly thread: CompiledThread,
    readonly state: ConversationState,
    readonly event: TurnEvent,
    readonly ctx: TurnContext,
  ) {
    const ms = new Date(ctx.now).getTime();
    this.nowSeconds = Math.floor(ms / 1000);
    this.nowIso = new Date(ms).toISOString();
    if (event.type === 'message') {
      // The runtime's own model always wins; the matcher only fills in for threads that run without one.
      const m = event.intent ? null : matchIntent(thread.intents, event.text);
      if (event.intent) this.intent = { source: 'runtime', name: event.intent.name };
      else if (m) [this.intent, this.matched] = [{ source: 'matcher', name: m.name, matcher: m.matcher }, m];
    }
  }

  get widget(): CompiledWidget {
    return this.ctx.widget;
  }

  facts(): Facts {
    return buildFacts({ state: this.state, widget: this.widget, event: this.event, nowSeconds: this.nowSeconds, change: this.change, rejection: this.rejection, matched: this.matched });
  }

  notice(code: NoticeCode, message: string, detail?: Record<string, unknown>): void {
    this.outputs.push({ type: 'notice', code, message, ...(detail ? { detail } : {}) });
  }

  identityCtx(): IdentityCtx {
    return { nowSeconds: this.nowSeconds, newId: this.ctx.newId, defaultCountry: this.widget.defaultCountry, atStart: this.event.type === 'start' };
  }

  absorb(step: IdentityStep): void {
    this.outputs.push(...step.outputs);
    this.notes.push(...step.notes);
    if (step.change) this.change = step.change;
  }

  /** Applies a token result: a verified identity authenticates; a rejection changes nothing but is reported. */
  applyToken(token: TokenResult, lookup: ProfileRecord | null | undefined): void {
    if (token.ok) {
      if (token.identity.expiresAt <= this.nowSeconds) {
        // The edge should not pass an expired identity; treat it as the rejection it is.
        this.reject('expired', 'The token has expired.');
        return;
      }
      this.absorb(authenticate(this.state, token.identity, lookup, this.identityCtx()));
    } else {
      this.reject(token.reason, token.message);
    }
  }

  reject(reason: string, message?: string): void {
    this.rejection = reason;
    this.notice('token_rejected', message ?? 'The identity token was refused; the customer is not authenticated by it.', { reason });
  }

  /** Evaluates an ordered branch list: every conditional branch runs, the first that holds wins. */
  async choose(set: BranchSet): Promise<{ goto: string | null; index: number | null; trace: BranchTrace[] }> {
    const run = set.engine ? await runBranchEngine(set.engine, this.facts()) : null;
    const trace: BranchTrace[] = [];
    let winner: { goto: string; index: number } | null = null;
    let k = 0;
    for (const b of set.branches) {
      let result: boolean;
      const t: BranchTrace = { index: b.index, goto: b.goto, default: b.when === null, result: false, ...(b.name ? { name: b.name } : {}) };
      if (b.when === null) {
        result = winner === null;
      } else {
        result = run?.results[k] ?? false;
        t.condition = run?.traces[k] ?? null;
        if (run?.error) t.error = `condition could not be evaluated: ${run.error}`;
        k += 1;
      }
      t.result = result;
      trace.push(t);
      if (result && winner === null) winner = { goto: b.goto, index: b.index };
    }
    return { goto: winner?.goto ?? null, index: winner?.index ?? null, trace };
  }

  /** Enters steps from `first` until one waits for input or stops; bounded so a loop cannot hang. */
  async runFrom(first: string, via: StepTrace['via'], from?: string): Promise<void> {
    let current: string | null = first;
    let how = via;
    let prev = from;
    let entered = 0;
    while (current !== null) {
      if (++entered > this.thread.maxAutoSteps) {
        const last = this.state.step ?? current;
        this.state.waiting = null;
        this.outputs.push({
          type: 'error',
          code: 'loop_limit',
          step: last,
          message: `Stopped after entering ${this.thread.maxAutoSteps} steps without waiting for the customer; the thread loops without an ask (last step entered "${last}", next would be "${current}").`,
        });
        return;
      }
      const step = this.thread.steps.get(current);
      if (!step) {
        this.outputs.push({ type: 'error', code: 'step_missing', step: current, message: `Step "${current}" does not exist in thread "${this.thread.id}".` });
        this.state.waiting = null;
        return;
      }
      const trace: StepTrace = { step: step.id, via: how, ...(prev ? { from: prev } : {}) };
      this.steps.push(trace);
      this.state.step = step.id;
      this.state.waiting = null;
      if (step.say.length) {
        // One fact snapshot for all of the step's lines: nothing changes between them.
        const facts = this.facts();
        for (const t of step.say) this.outputs.push({ type: 'message', text: renderTemplate(t, facts), step: step.id });
      }
      if (step.generate) this.outputs.push(generateOutput(step.generate, this.facts(), trustLevel(this.state.identity, this.nowSeconds), step.id));
      for (const a of step.actions) this.applyAction(a, step.id);
      if (step.terminal) return;
      if (step.lookup && this.requestLookup(step.id, step.lookup)) return;
      if (step.ask) {
        this.prompt(step, 0);
        return;
      }
      if (!step.next) return;
      const choice = await this.choose(step.next);
      trace.branches = choice.trace;
      trace.chosen = choice.index;
      if (choice.goto === null) {
        this.notice('no_branch_matched', `No branch of step "${step.id}" matched and it has no default; the thread waits here.`, { step: step.id });
        return;
      }
      prev = step.id;
      current = choice.goto;
      how = 'goto';
    }
  }

  /** Emits a lookup request and waits (true), or refuses it at once for an untrusted customer (false). */
  requestLookup(step: string, name: string): boolean {
    const l = this.thread.lookups.get(name)!;
    if (l.trustedOnly && !isTrustedAt(this.state.identity, this.nowSeconds)) {
      this.state.lookups[name] = { status: 'error', data: null, error: 'untrusted' };
      this.notes.push(`lookup "${name}" not requested: the customer is not trusted`);
      return false;
    }
    // A stale result must not stand in for the one being fetched.
    delete this.state.lookups[name];
    this.outputs.push({ type: 'lookup', step, name, request: lookupRequest(l, this.facts()), response: l.response });
    this.state.waiting = { kind: 'lookup', step, name };
    return true;
  }

  /** Stores a lookup's result and continues the step that waited for it. */
  async resumeLookup(ev: Extract<TurnEvent, { type: 'lookup_result' }>, stepId: string): Promise<void> {
    const schema = this.thread.lookups.get(ev.name)?.response;
    // The runtime checks the response too; the core re-checks so `lookup.<name>.data` always fits the declared shape.
    const problem = ev.status === 'ok' && schema ? checkResponse(schema, ev.data ?? null) : null;
    if (problem) this.notes.push(`lookup "${ev.name}" response refused: ${problem}`);
    const ok = ev.status === 'ok' && !problem;
    const result = ok ? { status: 'ok' as const, data: ev.data ?? null, error: null } : { status: 'error' as const, data: null, error: problem ? 'invalid_response' : (ev.error ?? 'unknown') };
    this.state.lookups[ev.name] = result;
    this.state.waiting = null;
    const step = this.thread.steps.get(stepId);
    const trace: StepTrace = { step: stepId, via: 'lookup', lookup: { name: ev.name, status: result.status, error: result.error } };
    this.steps.push(trace);
    if (!step?.next) return;
    const choice = await this.choose(step.next);
    trace.branches = choice.trace;
    trace.chosen = choice.index;
    if (choice.goto === null) {
      this.notice('no_branch_matched', `No branch of step "${stepId}" matched the lookup result and it has no default; the thread waits here.`, { step: stepId });
      return;
    }
    await this.runFrom(choice.goto, 'goto', stepId);
  }

  prompt(step: CompiledStep, attempts: number): void {
    const ask = step.ask!;
    if (ask.prompt) this.outputs.push({ type: 'message', text: renderTemplate(ask.prompt, this.facts()), step: step.id });
    this.outputs.push({
      type: 'ask',
      step: step.id,
      slot: ask.slot,
      input: ask.type,
      ...(ask.type === 'choice' ? { choices: ask.choices.map((c) => ({ id: c.id, label: c.label })) } : {}),
      attempt: attempts + 1,
    });
    this.state.waiting = { kind: 'ask', step: step.id, attempts };
  }

  applyAction(a: CompiledAction, step: string): void {
    let cached: Facts | null = null;
    // Only actions with templates need facts; building them is a large part of a turn's cost.
    const facts = (): Facts => (cached ??= this.facts());
    let out: OutAction;
    switch (a.type) {
      case 'handoff':
        this.state.routed = true;
        this.state.queue = a.queue;
        this.state.status = 'handed_off';
        out = { type: 'handoff', queue: a.queue, note: a.note ? renderTemplate(a.note, facts()) : null };
        break;
      case 'request_login':
        out = { type: 'request_login', url: a.url ?? this.widget.loginUrl, text: a.text ? renderTemplate(a.text, facts()) : null };
        break;
      case 'request_form':
        this.state.onboarding.formRequested = true;
        out = { type: 'request_form', fields: [...this.widget.form.fields], required: false, text: a.text ? renderTemplate(a.text, facts()) : null };
        break;
      case 'end':
        this.state.status = 'ended';
        out = { type: 'end', reason: a.reason };
        break;
      case 'tag':
        for (const t of a.tags) if (!this.state.tags.includes(t)) this.state.tags.push(t);
        out = { type: 'tag', tags: [...a.tags] };
        break;
      case 'set': {
        const slots: Record<string, Scalar> = {};
        for (const [k, v] of Object.entries(a.slots)) slots[k] = v !== null && typeof v === 'object' ? renderTemplate(v, facts(), { escape: false }) : v;
        Object.assign(this.state.slots, slots);
        out = { type: 'set', slots };
        break;
      }
    }
    this.outputs.push({ type: 'action', step, action: out });
  }

  /** Runs an `on` handler for an identity change or a stray message, if the thread has one and is running. */
  async handle(event: HandlerEvent): Promise<boolean> {
    const set = this.thread.on[event];
    if (!set || this.state.status !== 'active') return false;
    const choice = await this.choose(set);
    this.handlers.push({ event, set: set.owner, branches: choice.trace, chosen: choice.index });
    if (choice.goto === null) return false;
    await this.runFrom(choice.goto, 'handler', `on.${event}`);
    return true;
  }

  /** Runs the handler for this turn's identity change or token rejection; true when it moved the thread. */
  async handleIdentityChange(): Promise<boolean> {
    if (this.change === 'conflict') return (await this.handle('conflict')) || (await this.handle('authenticated'));
    if (this.change) return this.handle(this.change);
    if (this.rejection) return this.handle('token_rejected');
    return false;
  }

  /** Starts the thread, or holds it back while the onboarding type needs identity or the form first. */
  async begin(): Promise<void> {
    const st = this.state;
    const type = st.onboarding.type;
    const known = st.identity.status !== 'anonymous';
    if (type === 'code' && !known) {
      st.status = 'pending';
      this.notice('identity_required', 'This widget only serves customers identified by the website (setUser or a User Identity JWT); identify the customer (identify event or a token) to start the chat.');
      return;
    }
    if (!st.greeted) {
      st.greeted = true;
      this.firstMessage();
    }
    if (type === 'form' && !known && !st.onboarding.completed) {
      st.status = 'pending';
      this.requestForm(true);
      return;
    }
    if (type === 'optional_form' && !known && !st.onboarding.completed && !st.onboarding.skipped && !st.onboarding.formRequested) {
      this.requestForm(false);
    }
    st.status = 'active';
    st.startedAt ??= this.nowIso;
    await this.runFrom(this.thread.start, 'start');
  }

  requestForm(required: boolean): void {
    this.state.onboarding.formRequested = true;
    if (required) this.state.waiting = { kind: 'form' };
    this.outputs.push({ type: 'action', step: null, action: { type: 'request_form', fields: [...this.widget.form.fields], required, text: null } });
  }

  firstMessage(): void {
    const w = this.widget;
    if (!w.firstMessage) return;
    const loginUrl = w.loginUrl && this.state.identity.status !== 'authenticated' ? { loginUrl: w.loginUrl } : {};
    this.outputs.push({ type: 'message', text: renderTemplate(w.firstMessage, this.facts()), step: null, ...loginUrl });
  }
}

/** Validates a form submission against the widget's requirement; returns field errors or null. */
function formErrors(t: Turn, fields: { name?: string; email?: string; phone?: string }): Record<string, string> | null {
  const { user, invalid } = normalizeUser(fields, t.widget.defaultCountry);
  const errors: Record<string, string> = { ...invalid };
  for (const key of Object.keys(fields)) {
    if (!(t.widget.form.fields as string[]).includes(key)) errors[key] = 'not a field of this form';
  }
  const req = t.widget.form.require;
  if (req === 'name_and_contact' && !user.name) errors.name = 'a name is required';
  if ((req === 'name_and_contact' || req === 'contact') && !user.email && !user.phone && !invalid.email && !invalid.phone) errors.contact = 'an email or a phone number is required';
  if (req === 'email' && !user.email && !invalid.email) errors.email = 'an email is required';
  if (req === 'phone' && !user.phone && !invalid.phone) errors.phone = 'a phone number is required';
  return Object.keys(errors).length ? errors : null;
}

async function dispatch(t: Turn): Promise<boolean | null> {
  const st = t.state;
  const ev = t.event;
  switch (ev.type) {
    case 'start': {
      if (st.turn > 1 || st.status !== 'pending') {
        t.notice('already_started', 'This conversation has already started.');
        return null;
      }
      if (ev.token) t.applyToken(ev.token, ev.profile);
      if (ev.user && st.identity.status !== 'authenticated') t.absorb(identify(st, ev.user, 'code', ev.profile, t.identityCtx()));
      st.context = { ...(ev.context ?? {}) };
      await t.begin();
      return null;
    }
    case 'message': {
      if (ev.token) t.applyToken(ev.token, ev.profile);
      const trusted = isTrustedAt(st.identity, t.nowSeconds);
      if (st.status === 'pending') {
        // A held-back conversation answers with what it still needs (the form again, or identity).
        await t.begin();
        if (st.status === 'pending' && st.onboarding.type === 'form') t.notice('form_required', 'Please fill in the form before the chat starts.');
        return trusted;
      }
      // When a token on the message moved the thread, the text answers nothing the new step asked.
      if (await t.handleIdentityChange()) return trusted;
      if (st.status !== 'active') return trusted;
      if (st.waiting?.kind === 'ask') {
        await answer(t, st.waiting.step, ev.text);
      } else if (t.change === null && !(await t.handle('message'))) {
        t.notes.push('message not awaited by any step and no on.message handler: nothing to say');
      }
      return trusted;
    }
    case 'identify':
      t.absorb(identify(st, ev.user, 'code', ev.profile, t.identityCtx()));
      break;
    case 'authenticate':
      t.applyToken(ev.token, ev.profile);
      break;
    case 'clear_user':
      t.absorb(clearUser(st));
      if (st.status !== 'active') break;
      // On widgets that gate the chat, the new party must identify (or fill the form) before it goes on.
      if (st.onboarding.type === 'form' || st.onboarding.type === 'code') {
        st.status = 'pending';
        break;
      }
      // Elsewhere the new party starts over, unless an on.cleared handler says where to go.
      if (!(await t.handleIdentityChange())) await t.runFrom(t.thread.start, 'start');
      return null;
    case 'submit_form': {
      if (st.onboarding.type === 'none' || st.onboarding.type === 'code') {
        t.notice('form_not_offered', `This widget's onboarding type "${st.onboarding.type}" has no pre-chat form.`);
        return null;
      }
      const errors = formErrors(t, ev.fields);
      if (errors) {
        t.notice('form_invalid', 'The form is not complete: ' + Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join('; '), { fields: errors });
        t.requestForm(st.onboarding.type === 'form' && st.identity.status === 'anonymous');
        return null;
      }
      st.onboarding.completed = true;
      st.onboarding.skipped = false;
      t.absorb(identify(st, ev.fields, 'form', ev.profile, t.identityCtx()));
      break;
    }
    case 'skip_form':
      if (st.onboarding.type === 'form') {
        t.notice('form_required', 'This widget requires the form before the chat starts.');
        if (st.status === 'pending') t.requestForm(true);
      } else if (st.onboarding.type === 'optional_form') {
        st.onboarding.skipped = true;
      } else {
        t.notice('form_not_offered', `This widget's onboarding type "${st.onboarding.type}" has no pre-chat form.`);
      }
      return null;
    case 'routed':
      st.routed = true;
      st.queue = ev.queue ?? st.queue;
      if (st.status === 'active') st.status = 'handed_off';
      return null;
    case 'lookup_result':
      // evaluateTurn checked that it answers the lookup being waited for.
      if (st.waiting?.kind === 'lookup') await t.resumeLookup(ev, st.waiting.step);
      return null;
    case 'close':
      st.status = 'closed';
      st.waiting = null;
      return null;
    case 'request_transcript':
    case 'rate': {
      const feature = ev.type === 'rate' ? 'rating' : 'transcript';
      if (st.identity.status === 'anonymous') {
        t.notice('visitor_not_allowed', `Visitors cannot ${ev.type === 'rate' ? 'rate the chat' : 'request a transcript'}; the customer must be identified or authenticated first.`);
      } else if (!t.widget.features[feature]) {
        t.notice('feature_disabled', `This widget does not offer ${feature === 'rating' ? 'chat rating' : 'transcripts'}.`);
      } else {
        const action: OutAction =
          ev.type === 'rate'
            ? { type: 'rating', score: ev.score, comment: ev.comment ?? null }
            : { type: 'send_transcript', email: st.identity.email, phone: st.identity.phone };
        t.outputs.push({ type: 'action', step: null, action });
      }
      return null;
    }
  }
  // Identity events: a held-back conversation may start now; a running one reacts through its handlers.
  if (st.status === 'pending') await t.begin();
  else await t.handleIdentityChange();
  return null;
}

async function answer(t: Turn, stepId: string, text: string): Promise<void> {
  const step = t.thread.steps.get(stepId);
  const waiting = t.state.waiting;
  if (!step?.ask || waiting?.kind !== 'ask') {
    t.outputs.push({ type: 'error', code: 'step_missing', step: stepId, message: `The conversation waits on step "${stepId}", which no longer asks anything in thread "${t.thread.id}".` });
    t.state.waiting = null;
    return;
  }
  const ask = step.ask;
  let result = validateAnswer(ask, text, t.widget.defaultCountry);
  // A sentence ("I want to send it back") answers a choice when its intent (runtime or matcher) names a choice id.
  if (!result.ok && ask.type === 'choice' && t.intent && ask.choices.some((c) => c.id === t.intent!.name)) {
    result = { ok: true, value: t.intent.name };
  }
  const attempts = waiting.attempts + 1;
  if (result.ok) {
    t.state.slots[ask.slot] = result.value;
    t.state.waiting = null;
    const trace: StepTrace = { step: step.id, via: 'answer', answer: { slot: ask.slot, valid: true, value: result.value, attempts } };
    t.steps.push(trace);
    if (!step.next) return;
    const choice = await t.choose(step.next);
    trace.branches = choice.trace;
    trace.chosen = choice.index;
    if (choice.goto === null) {
      t.notice('no_branch_matched', `No branch of step "${step.id}" matched the answer and it has no default; the thread waits here.`, { step: step.id });
      return;
    }
    await t.runFrom(choice.goto, 'goto', step.id);
    return;
  }
  t.steps.push({ step: step.id, via: 'answer', answer: { slot: ask.slot, valid: false, reason: result.reason, attempts } });
  if (ask.onFail && attempts >= ask.maxAttempts) {
    await t.runFrom(ask.onFail, 'on_fail', step.id);
    return;
  }
  const error = ask.error ? renderTemplate(ask.error, t.facts()) : DEFAULT_ASK_ERRORS[ask.type]!;
  t.notice('answer_invalid', `The answer to "${ask.slot}" was refused: ${result.reason}.`, { slot: ask.slot, reason: result.reason, attempts });
  t.outputs.push({ type: 'message', text: error, step: step.id });
  t.prompt(step, attempts);
}

/**
 * Evaluates one event against a conversation: pure and deterministic (time and ids come from ctx),
 * never throws for bad events or states, and returns outputs as data without performing any.
 */
export async function evaluateTurn(thread: CompiledThread, state: ConversationState, rawEvent: unknown, ctx: TurnContext): Promise<TurnResult> {
  const parsed = TurnEventSchema.safeParse(rawEvent);
  const before = { status: state.identity.status, method: state.identity.method };
  const invalid = (code: 'event_invalid' | 'state_invalid', message: string): TurnResult => {
    const trace: TurnTrace = { event: 'invalid', turn: state.turn, identity: { before, after: before, change: null, rejection: null }, trusted: null, intent: null, steps: [], handlers: [], notes: [message] };
    return { state, outputs: [{ type: 'error', code, message }], trace, trusted: null };
  };
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return invalid('event_invalid', `Invalid event: ${first ? `${first.path.join('.') || 'event'}: ${first.message}` : 'unreadable'}.`);
  }
  if (state.v !== 1 || state.threadId !== thread.id || state.widgetId !== ctx.widget.id) {
    return invalid('state_invalid', `The state belongs to thread "${state.threadId}" on widget "${state.widgetId}", not "${thread.id}" on "${ctx.widget.id}".`);
  }
  if (Number.isNaN(new Date(ctx.now).getTime())) return invalid('state_invalid', 'ctx.now is not a valid date.');
  const ev = parsed.data;
  if (ev.type === 'lookup_result' && state.status !== 'closed' && !(state.waiting?.kind === 'lookup' && state.waiting.name === ev.name)) {
    const waiting = state.waiting?.kind === 'lookup' ? `lookup "${state.waiting.name}"` : 'no lookup';
    return invalid('event_invalid', `Invalid event: a result for lookup "${ev.name}" arrived, but the conversation waits for ${waiting}.`);
  }

  const draft = draftOf(state);
  const t = new Turn(thread, draft, parsed.data, ctx);
  let trusted: boolean | null = null;
  if (draft.status === 'closed') {
    t.notice('conversation_closed', 'This conversation is closed; start a new one.');
  } else if (draft.turn === 0 && parsed.data.type !== 'start') {
    t.notice('not_started', 'The first event of a conversation must be `start`.');
  } else {
    // A lookup result continues the turn that asked for it; it is not a new turn.
    if (parsed.data.type !== 'lookup_result') draft.turn += 1;
    trusted = await dispatch(t);
    if (t.change === 'conflict') t.notes.push('scenario: most_undesired (authenticated as a different person)');
  }
  draft.scenario = deriveScenario(draft.history, draft.identity.status);
  draft.updatedAt = t.nowIso;
  const trace: TurnTrace = {
    event: parsed.data.type,
    turn: draft.turn,
    identity: { before, after: { status: draft.identity.status, method: draft.identity.method }, change: t.change, rejection: t.rejection },
    trusted,
    intent: t.intent,
    steps: t.steps,
    handlers: t.handlers,
    notes: t.notes,
  };
  return { state: draft, outputs: t.outputs, trace, trusted };
}
