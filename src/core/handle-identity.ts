// Handlers for the identity events: start, identify (setUser), authenticate (a token) and clear_user (logout).
import { clearUser, identify } from './identity.ts';
import { handleIdentityChange } from './on-handlers.ts';
import { runFrom } from './run-steps.ts';
import { begin } from './turn-begin.ts';
import type { EventOf, Turn } from './turn.ts';

export async function handleStart(t: Turn, ev: EventOf<'start'>): Promise<null> {
  const st = t.state;
  if (st.turn > 1 || st.status !== 'pending') {
    t.notice('already_started', 'This conversation has already started.');
    return null;
  }
  if (ev.token) t.applyToken(ev.token, ev.profile);
  if (ev.user && st.identity.status !== 'authenticated') t.absorb(identify(st, ev.user, 'code', ev.profile, t.identityCtx()));
  st.context = { ...(ev.context ?? {}) };
  await begin(t);
  return null;
}

export function handleIdentify(t: Turn, ev: EventOf<'identify'>): Promise<null> {
  t.absorb(identify(t.state, ev.user, 'code', ev.profile, t.identityCtx()));
  return afterIdentityEvent(t);
}

export function handleAuthenticate(t: Turn, ev: EventOf<'authenticate'>): Promise<null> {
  t.applyToken(ev.token, ev.profile);
  return afterIdentityEvent(t);
}

export async function handleClearUser(t: Turn): Promise<null> {
  const st = t.state;
  t.absorb(clearUser(st));
  if (st.status === 'active') {
    // On widgets that gate the chat, the new party must identify (or fill the form) before it goes on.
    if (st.onboarding.type === 'form' || st.onboarding.type === 'code') {
      st.status = 'pending';
    } else {
      // Elsewhere the new party starts over, unless an on.cleared handler says where to go.
      if (!(await handleIdentityChange(t))) await runFrom(t, t.thread.start, 'start');
      return null;
    }
  }
  return afterIdentityEvent(t);
}

/** After an identity event: a held-back conversation may start now; a running one reacts through its handlers. */
export async function afterIdentityEvent(t: Turn): Promise<null> {
  if (t.state.status === 'pending') await begin(t);
  else await handleIdentityChange(t);
  return null;
}
