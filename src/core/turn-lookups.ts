// Lookups within a turn: requesting one when a step waits for it, and storing the result that comes back.
import { lookupRequest } from './lookup.ts';
import { checkResponse } from './lookup-schema.ts';
import type { StepTrace } from './outputs.ts';
import { isTrustedAt } from './state.ts';
import type { EventOf, Turn } from './turn.ts';

/** Emits a lookup request and waits (true), or refuses it at once for an untrusted customer (false). */
export function requestLookup(t: Turn, step: string, name: string): boolean {
  const l = t.thread.lookups.get(name)!;
  if (l.trustedOnly && !isTrustedAt(t.state.identity, t.nowSeconds)) {
    t.state.lookups[name] = { status: 'error', data: null, error: 'untrusted' };
    t.notes.push(`lookup "${name}" not requested: the customer is not trusted`);
    return false;
  }
  // A stale result must not stand in for the one being fetched.
  delete t.state.lookups[name];
  t.outputs.push({ type: 'lookup', step, name, request: lookupRequest(l, t.facts()), response: l.response });
  t.state.waiting = { kind: 'lookup', step, name };
  return true;
}

/** Stores a lookup's result, ends the wait and records the resumed step in the trace (returned). */
export function storeLookupResult(t: Turn, ev: EventOf<'lookup_result'>, stepId: string): StepTrace {
  const schema = t.thread.lookups.get(ev.name)?.response;
  // The runtime checks the response too; the core re-checks so `lookup.<name>.data` always fits the declared shape.
  const problem = ev.status === 'ok' && schema ? checkResponse(schema, ev.data ?? null) : null;
  if (problem) t.notes.push(`lookup "${ev.name}" response refused: ${problem}`);
  const ok = ev.status === 'ok' && !problem;
  const result = ok ? { status: 'ok' as const, data: ev.data ?? null, error: null } : { status: 'error' as const, data: null, error: problem ? 'invalid_response' : (ev.error ?? 'unknown') };
  t.state.lookups[ev.name] = result;
  t.state.waiting = null;
  const trace: StepTrace = { step: stepId, via: 'lookup', lookup: { name: ev.name, status: result.status, error: result.error } };
  t.steps.push(trace);
  return trace;
}
