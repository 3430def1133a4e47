// What the customer may do now (transcript, rating, the form, the login link), derived from the widget and the identity.
import type { CompiledWidget } from './compile-widget.ts';
import { isTrustedAt, type ConversationState } from './state.ts';

/** required: the chat waits for it; offered: it may be filled in (seed 002: it "will remain visible"); none: a submission is refused. */
export type FormCapability = 'required' | 'offered' | 'none';

export interface Capabilities {
  /** A request_transcript would get a send_transcript action, not a notice. */
  transcript: boolean;
  /** A rate would get a rating action, not a notice. */
  rating: boolean;
  form: FormCapability;
  /** The login link to show: the widget's loginUrl while the customer is not trusted; null once trusted (or without one). */
  loginUrl: string | null;
}

const NOTHING: Capabilities = { transcript: false, rating: false, form: 'none', loginUrl: null };

/**
 * The conversation's capabilities, so a widget shows only the buttons that would work instead of trying and being
 * refused. The same rules as the events' own handlers (handle-lifecycle.ts, handle-form.ts): visitors cannot request
 * a transcript or rate (seed 002), a widget may turn either off, a closed conversation accepts nothing.
 */
export function capabilitiesOf(state: ConversationState, widget: Pick<CompiledWidget, 'features' | 'loginUrl'>, nowSeconds: number): Capabilities {
  if (state.status === 'closed') return NOTHING;
  const known = state.identity.status !== 'anonymous';
  return {
    transcript: known && widget.features.transcript,
    rating: known && widget.features.rating,
    form: formCapability(state),
    loginUrl: isTrustedAt(state.identity, nowSeconds) ? null : widget.loginUrl,
  };
}

function formCapability(state: ConversationState): FormCapability {
  const { type, completed, formRequested } = state.onboarding;
  if (type === 'none' || type === 'code') return 'none';
  if (type === 'form' && state.status === 'pending') return 'required';
  // A token is never replaced by a form (identity_ignored), and a form filled in once is done.
  if (state.identity.status === 'authenticated' || completed) return 'none';
  // The optional form stays visible to a visitor, skipped or not; elsewhere only a request_form action offers it.
  if (type === 'optional_form' && state.identity.status === 'anonymous') return 'offered';
  return formRequested ? 'offered' : 'none';
}
