// The HTTP baseline: fastify with one route that parses the same turn body and answers a similar JSON.
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
let version = 0;
app.post<{ Params: { id: string }; Body: { type: string; text?: string } }>('/v1/conversations/:id/turns', async (request) => {
  const body = request.body;
  version += 1;
  return {
    conversationId: request.params.id,
    version,
    status: 'active',
    step: 'menu',
    scenario: 'most_ideal',
    identity: { status: 'authenticated', method: 'jwt', trusted: true, party: 0 },
    profile: { match: 'new', id: 'c0a80101-0000-4000-8000-000000000000' },
    trusted: true,
    outputs: [
      { type: 'message', text: `You said: ${String(body.text ?? body.type)}`, step: 'menu' },
      { type: 'message', text: 'What can I help you with?', step: 'menu' },
      { type: 'ask', step: 'menu', slot: 'topic', input: 'choice', choices: [{ id: 'order_status', label: 'Order status' }, { id: 'return', label: 'Start a return' }, { id: 'other', label: 'Something else' }], attempt: 1 },
    ],
  };
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`bare fastify listening on ${url}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
