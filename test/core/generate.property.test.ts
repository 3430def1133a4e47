// Property: personal fields never reach a generate output unless the customer is trusted, whatever paths the author lists.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Conversation, threadFrom, verified, widgetFor } from '../helpers/conversation.ts';
import type { Output } from '../../src/core/outputs.ts';

// Every value a test customer gives is a unique marker, so finding it in the output proves a leak.
const M = { email: 'mk-email@leak.example', phone: '+14155550199', ext: 'mk-ext', name: 'Mkname Leak', slot: 'mk-slot', ctx: 'mk-ctx', attr: 'mk-attr', order: 'mk-order' };
const PERSONAL = [M.email, M.phone, M.ext, M.slot, M.ctx, M.attr, M.order, 'prof-mk'];

const PATHS = [
  'auth', 'auth.email', 'auth.phone', 'auth.externalId', 'auth.name', 'auth.firstName', 'auth.status', 'profile', 'profile.id', 'profile.email',
  'profile.phone', 'profile.externalId', 'profile.attributes', 'profile.attributes.tier', 'profile.name', 'slots', 'slots.note', 'lookup',
  'lookup.orders', 'lookup.orders.data', 'lookup.orders.data.id', 'conversation', 'conversation.context', 'conversation.context.page',
  'message', 'message.entities', 'widget', 'conversation.turn', 'message.text', 'scenario',
];

const threadWith = (facts: string[], instructions: string) =>
  threadFrom(`id: gen
start: remember
lookups:
  orders: { url: "https://orders.example/v1/{{auth.email}}", trustedOnly: false }
steps:
  remember:
    action: { type: set, slots: { note: "${M.slot}" } }
    lookup: orders
    next: answer
  answer:
    generate:
      instructions: ${JSON.stringify(instructions)}
      facts: ${JSON.stringify(facts)}
      avoid: [prices]
    next: wait
  wait:
    ask: { slot: more, type: text }
`);

type Who = 'visitor' | 'identified' | 'expired' | 'trusted';
async function generated(facts: string[], instructions: string, who: Who): Promise<Extract<Output, { type: 'generate' }>> {
  const thread = threadWith(facts, instructions);
  const c = new Conversation(thread, widgetFor(thread.id));
  const record = { id: 'prof-mk', name: M.name, emails: [M.email], externalId: M.ext, attributes: { tier: M.attr } };
  const user = { name: M.name, email: M.email, phone: M.phone, externalId: M.ext };
  const start: Record<string, unknown> = { type: 'start', context: { page: M.ctx } };
  if (who === 'identified') Object.assign(start, { user, profile: record });
  if (who === 'trusted' || who === 'expired') Object.assign(start, { token: verified(M.email, c.now, 60, { phone: M.phone, subject: M.ext, name: M.name }), profile: record });
  await c.send(start);
  if (who === 'expired') c.advance(120);
  const r = await c.send({ type: 'lookup_result', name: 'orders', status: 'ok', data: { id: M.order } });
  const out = r.outputs.find((o) => o.type === 'generate');
  if (out?.type !== 'generate') throw new Error(`no generate output: ${JSON.stringify(r.outputs)}`);
  return out;
}

const paths = fc.uniqueArray(fc.constantFrom(...PATHS), { maxLength: PATHS.length });
const instructions = fc.array(fc.constantFrom(...PATHS.filter((p) => !['auth', 'profile', 'slots', 'lookup', 'conversation', 'message', 'lookup.orders', 'lookup.orders.data', 'profile.attributes', 'message.entities', 'widget'].includes(p))), { maxLength: 6 })
  .map((ps) => ps.map((p) => `{{${p}}}`).join(' '));

describe('generate facts are scoped by trust', () => {
  it.each(['visitor', 'identified', 'expired'] as const)('a %s customer never gets a personal value, whatever is listed', async (who) => {
    await fc.assert(
      fc.asyncProperty(paths, instructions, async (facts, instr) => {
        const out = await generated(facts, instr, who);
        const json = JSON.stringify(out);
        for (const value of PERSONAL) expect(json).not.toContain(value);
        if (who === 'visitor') expect(json).not.toContain('Mkname');
        expect(out.trust).toBe(who === 'visitor' ? 'visitor' : 'identified');
        // Everything listed is either handed over or reported as withheld.
        expect([...Object.keys(out.facts), ...out.withheld.filter((w) => facts.includes(w))].sort()).toEqual([...facts].sort());
      }),
      { numRuns: 60 },
    );
  });

  it('a trusted customer gets every listed field, instructions included', async () => {
    const out = await generated(['auth.email', 'profile.attributes.tier', 'slots.note', 'lookup.orders.data', 'conversation.context.page'], 'Order {{lookup.orders.data.id}} for {{auth.email}}', 'trusted');
    expect(out).toMatchObject({
      trust: 'authenticated',
      withheld: [],
      avoid: ['prices'],
      instructions: `Order ${M.order} for ${M.email}`,
      facts: { 'auth.email': M.email, 'profile.attributes.tier': M.attr, 'slots.note': M.slot, 'lookup.orders.data': { id: M.order }, 'conversation.context.page': M.ctx },
    });
  });

  it('an identified customer gets the name and the allowed facts, and the rest is withheld', async () => {
    const out = await generated(['auth.firstName', 'profile.name', 'auth.email', 'widget.id', 'conversation.context'], 'Hi {{auth.firstName}} {{auth.email | there}}', 'identified');
    expect(out.facts).toEqual({ 'auth.firstName': 'Mkname', 'profile.name': M.name, 'widget.id': 'w' });
    expect(out.withheld).toEqual(['auth.email', 'conversation.context']);
    expect(out.instructions).toBe('Hi Mkname there');
  });
});
