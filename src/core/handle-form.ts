// Handlers for the pre-chat form: submit_form (checked against the widget's requirement) and skip_form.
import { identify, normalizeUser } from './identity.ts';
import { afterIdentityEvent } from './handle-identity.ts';
import { requestForm } from './turn-begin.ts';
import type { EventOf, Turn } from './turn.ts';

export async function handleSubmitForm(t: Turn, ev: EventOf<'submit_form'>): Promise<null> {
  const st = t.state;
  if (st.onboarding.type === 'none' || st.onboarding.type === 'code') {
    t.notice('form_not_offered', `This widget's onboarding type "${st.onboarding.type}" has no pre-chat form.`);
    return null;
  }
  const errors = formErrors(t, ev.fields);
  if (errors) {
    t.notice('form_invalid', 'The form is not complete: ' + Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join('; '), { fields: errors });
    requestForm(t, st.onboarding.type === 'form' && st.identity.status === 'anonymous');
    return null;
  }
  st.onboarding.completed = true;
  st.onboarding.skipped = false;
  t.absorb(identify(st, ev.fields, 'form', ev.profile, t.identityCtx()));
  return afterIdentityEvent(t);
}

export function handleSkipForm(t: Turn): null {
  const st = t.state;
  if (st.onboarding.type === 'form') {
    t.notice('form_required', 'This widget requires the form before the chat starts.');
    if (st.status === 'pending') requestForm(t, true);
  } else if (st.onboarding.type === 'optional_form') {
    st.onboarding.skipped = true;
  } else {
    t.notice('form_not_offered', `This widget's onboarding type "${st.onboarding.type}" has no pre-chat form.`);
  }
  return null;
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
