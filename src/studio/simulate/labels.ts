// Words the simulator shows for scenarios, identity and what each customer action did, as the seeds name them.
import type { ConversationState } from '../../core/state.ts';
import type { SimAction } from './session.ts';

export const SCENARIO_HINT: Record<string, string> = {
  most_ideal: 'authenticated from the start',
  ideal: 'identified, then authenticated before being routed',
  standard: 'identified (setUser or form), never authenticated',
  undesired: 'authenticated only after being routed to an agent',
  most_undesired: 'authenticated as someone other than the identified customer',
  visitor: 'never identified',
};

export function identityText(s: ConversationState): string {
  const id = s.identity;
  const who = [id.name, id.email, id.phone].filter(Boolean).join(', ');
  return `${id.status}${id.method !== 'none' ? ` (${id.method})` : ''}${who ? ` · ${who}` : ''}`;
}

const who = (u: { name?: string; email?: string; phone?: string; sub?: string }) => [u.name, u.email, u.phone, u.sub && `sub ${u.sub}`].filter(Boolean).join(', ') || 'nobody';

/** The line that says what the admin did, for every action that is not a plain message. */
export function actionText(a: SimAction): string {
  switch (a.kind) {
    case 'start':
      return a.login ? `Conversation starts, signed in as ${who(a.login)}` : a.user ? `Conversation starts, identified by the website as ${who(a.user)}` : 'Conversation starts (a visitor)';
    case 'message':
      return a.text;
    case 'identify':
      return `The website identifies the customer (setUser): ${who(a.user)}`;
    case 'login':
      return `The customer logs in: a valid token for ${who(a.login)}, valid ${Math.round(a.login.ttl / 60)} min`;
    case 'reject':
      return `A token arrives that is refused (${a.reason})`;
    case 'clear_user':
      return 'The customer logs out (clear_user)';
    case 'submit_form':
      return `The customer submits the form: ${who(a.fields)}`;
    case 'skip_form':
      return 'The customer skips the form';
    case 'routed':
      return `The runtime routes the chat${a.queue ? ` to ${a.queue}` : ''}`;
    case 'close':
      return 'The conversation is closed';
    case 'request_transcript':
      return 'The customer asks for a transcript';
    case 'rate':
      return `The customer rates the chat ${a.score}/5`;
    case 'advance':
      return a.why === 'expire' ? `The clock moves on ${a.seconds} s: the token has expired` : `The clock moves on ${a.seconds} s`;
  }
}
