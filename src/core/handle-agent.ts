// Handlers for what an agent does in the conversation: a message to the customer, and a request that they log in.
import { handle } from './on-handlers.ts';
import { isTrustedAt } from './state.ts';
import { escapeHtml } from './template.ts';
import type { EventOf, Turn } from './turn.ts';

/** The agent's message is delivered by the runtime, not said by the bot; a running thread may react (on.agent_message). */
export async function handleAgentMessage(t: Turn): Promise<null> {
  if (!(await handle(t, 'agent_message'))) t.notes.push('agent message: the bot says nothing (no on.agent_message handler moved the thread)');
  return null;
}

/**
 * Seed 000: "Agents can ask the Customer to log into their account anytime for a trusted Conversation." The login
 * link goes out as a request_login action (the widget's loginUrl), unless the customer is trusted already.
 */
export async function handleAgentRequestLogin(t: Turn, ev: EventOf<'agent_request_login'>): Promise<null> {
  if (isTrustedAt(t.state.identity, t.nowSeconds)) {
    t.notice('already_trusted', 'The customer is already authenticated by a valid token; no login request was sent.');
    return null;
  }
  // Escaped like every text the core hands out: the agent's words are shown in the widget as the bot's are.
  t.outputs.push({ type: 'action', step: null, action: { type: 'request_login', url: t.widget.loginUrl, text: ev.text === undefined ? null : escapeHtml(ev.text) } });
  await handle(t, 'agent_request_login');
  return null;
}
