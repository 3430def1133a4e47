// Dispatches a turn's event to the handler for its kind; answers whether the turn's message is trusted.
import { handleAgentMessage, handleAgentRequestLogin } from './handle-agent.ts';
import { handleSkipForm, handleSubmitForm } from './handle-form.ts';
import { handleAuthenticate, handleClearUser, handleIdentify, handleStart } from './handle-identity.ts';
import { handleClose, handleRateOrTranscript, handleRouted } from './handle-lifecycle.ts';
import { handleLookupResult } from './handle-lookup-result.ts';
import { handleMessage } from './handle-message.ts';
import type { Turn } from './turn.ts';

/**
 * Runs the event's handler; the result is the message's trust, null for events that carry no message. Not
 * `async` itself: it hands back the handler's own promise (or value), without the extra ticks of resolving one with another.
 */
export function dispatch(t: Turn): Promise<boolean | null> | boolean | null {
  const ev = t.event;
  switch (ev.type) {
    case 'start':
      return handleStart(t, ev);
    case 'message':
      return handleMessage(t, ev);
    case 'identify':
      return handleIdentify(t, ev);
    case 'authenticate':
      return handleAuthenticate(t, ev);
    case 'clear_user':
      return handleClearUser(t);
    case 'submit_form':
      return handleSubmitForm(t, ev);
    case 'skip_form':
      return handleSkipForm(t);
    case 'routed':
      return handleRouted(t, ev);
    case 'lookup_result':
      return handleLookupResult(t, ev);
    case 'close':
      return handleClose(t);
    case 'request_transcript':
    case 'rate':
      return handleRateOrTranscript(t, ev);
    case 'agent_message':
      return handleAgentMessage(t);
    case 'agent_request_login':
      return handleAgentRequestLogin(t, ev);
  }
}
