// A studio server with a history of conversations made through the API over several days, one of each seed scenario, for the screenshots of the conversation and report screens.
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { auth, buildTestApp, shopToken, type TestApp } from '../http/helpers.ts';
import type { StudioServer } from './harness.ts';

type Json = Record<string, unknown>;
const DAY_MS = 86_400_000;
const PEOPLE = [
  ['julie@example.com', 'Julie Doe'],
  ['sam@example.com', 'Sam Lee'],
  ['ana@example.com', 'Ana Silva'],
  ['omar@example.com', 'Omar Haddad'],
] as const;

/** One conversation of each kind the seed describes, as the runtime would send its turns. */
const STORIES: Record<string, (t: TestApp, n: number) => Promise<string>> = {
  async most_ideal(t, n) {
    const [email, name] = PEOPLE[n % PEOPLE.length]!;
    const id = await start(t, { widgetId: 'shop-visitor', token: await shopToken(email, t.clock.now, { name, ttl: 3600 }) });
    await turn(t, id, { type: 'message', text: 'Where is my order?' });
    await turn(t, id, { type: 'message', text: `R-10${n}` });
    return id;
  },
  async ideal(t, n) {
    const [email, name] = PEOPLE[n % PEOPLE.length]!;
    const id = await start(t, { widgetId: 'shop-optional' });
    await turn(t, id, { type: 'message', text: 'Hi, I need help with a return' });
    await turn(t, id, { type: 'authenticate', token: await shopToken(email, t.clock.now, { name, ttl: 3600 }) });
    await turn(t, id, { type: 'message', text: 'return an item' });
    return id;
  },
  async standard(t, n) {
    const [email, name] = PEOPLE[n % PEOPLE.length]!;
    const id = await start(t, { widgetId: 'shop-form' });
    await turn(t, id, { type: 'submit_form', fields: { name, email } });
    await turn(t, id, { type: 'message', text: 'order status' });
    return id;
  },
  async undesired(t, n) {
    const [email, name] = PEOPLE[n % PEOPLE.length]!;
    const id = await start(t, { widgetId: 'shop-form' });
    await turn(t, id, { type: 'submit_form', fields: { name, email } });
    await turn(t, id, { type: 'message', text: 'order status' });
    await turn(t, id, { type: 'message', text: 'hello agent' });
    await turn(t, id, { type: 'authenticate', token: await shopToken(email, t.clock.now, { name, ttl: 3600 }) });
    await turn(t, id, { type: 'message', text: 'it is me, signed in now' });
    return id;
  },
  async most_undesired(t, n) {
    const [email, name] = PEOPLE[n % PEOPLE.length]!;
    const id = await start(t, { widgetId: 'shop-optional' });
    await turn(t, id, { type: 'submit_form', fields: { name, email } });
    await turn(t, id, { type: 'authenticate', token: await shopToken('jules@work.example', t.clock.now, { name: 'Jules Roe', ttl: 3600 }) });
    await turn(t, id, { type: 'message', text: 'Where is my parcel?' });
    return id;
  },
  async visitor(t, n) {
    const id = await start(t, { widgetId: 'shop-visitor' });
    await turn(t, id, { type: 'message', text: n % 2 ? 'Do you ship to Canada?' : 'What are your opening hours?' });
    return id;
  },
};

async function start(t: TestApp, body: Json): Promise<string> {
  const r = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: body });
  if (r.statusCode !== 201) throw new Error(`start ${JSON.stringify(body)}: ${r.body}`);
  return (r.json() as { conversationId: string }).conversationId;
}

async function turn(t: TestApp, id: string, body: Json): Promise<void> {
  t.clock.advance(20);
  const r = await t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: body });
  if (r.statusCode !== 200) throw new Error(`turn ${JSON.stringify(body)}: ${r.body}`);
}

export interface History extends StudioServer {
  /** A signed-in customer who logs out mid-chat, then a visitor writes: green, none, a party divider. */
  loggedOut: string;
  /** A trusted conversation that was closed: its trusted messages are gray. */
  closed: string;
}

/**
 * The real app on a temp SQLite file with the test helpers' movable clock, started `days` days ago: each day gets a
 * few conversations (a fixed mix, so screenshots are the same every run), the clock ending at the real now.
 */
export async function startHistoryServer(days = 21): Promise<History> {
  const dir = await mkdtemp(join(tmpdir(), 'tg-history-'));
  const store = await openSqliteStore({ path: join(dir, 'threadgate.db') });
  const t = await buildTestApp({ store, rateLimitPerMinute: 100_000 });
  const end = Date.now();
  t.clock.now = end - days * DAY_MS;
  const kinds = Object.keys(STORIES);
  let n = 0;
  for (let d = 0; d < days; d++) {
    t.clock.now = end - (days - d) * DAY_MS + 9 * 3_600_000;
    const count = 1 + ((d * 7) % 4);
    for (let i = 0; i < count; i++, n++) {
      // Mostly signed-in and visitors, now and then the undesired kinds, as a shop would see.
      const kind = kinds[[0, 5, 1, 2, 0, 5, 3, 0, 1, 4, 5, 2][n % 12]!]!;
      const id = await STORIES[kind]!(t, n);
      if (n % 5 === 2) await turn(t, id, { type: 'close' });
      t.clock.advance(47 * 60);
    }
  }
  t.clock.now = end - 3_600_000;
  const closed = await STORIES.most_ideal!(t, 0);
  await turn(t, closed, { type: 'close' });
  const loggedOut = await start(t, { widgetId: 'shop-visitor', token: await shopToken('julie@example.com', t.clock.now, { name: 'Julie Doe', ttl: 3600 }) });
  await turn(t, loggedOut, { type: 'message', text: 'Where is my order R-1042?' });
  await turn(t, loggedOut, { type: 'message', text: 'R-1042' });
  await turn(t, loggedOut, { type: 'clear_user' });
  await turn(t, loggedOut, { type: 'message', text: 'Hello? Is anyone there?' });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (t.app.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    t,
    loggedOut,
    closed,
    close: async () => {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
