// Timeline benchmark: GET of a long conversation's first page against the GET of a short one, same service, same run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { progress, round, table, type Section } from './lib.ts';
import { CYCLE, post, shopToken, startService } from './processes.ts';
import { timelineExplain } from '../src/store/postgres/timeline-statement.ts';
import { PG_URL, benchSchemaName, dropSchema, explainIn } from './pg-helpers.ts';

const LONG_TURNS = Number(process.env.BENCH_TIMELINE_TURNS ?? 5000);
const SHORT_TURNS = 10;
const SECONDS = Number(process.env.BENCH_TIMELINE_SECONDS ?? 3);
const CONNECTIONS = 10;
/** Rounds of (long, short) GET runs, alternated so drift on a noisy machine hits both. */
const ROUNDS = Number(process.env.BENCH_TIMELINE_ROUNDS ?? 3);
/** How many turns are sent at once while filling the long conversation (they queue on it, in order). */
const FILL_BATCH = 50;

interface GetRun {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  bytes: number;
}

/** Sends `turns` message turns on one conversation, `FILL_BATCH` at a time (the service runs them one after another). */
async function fill(url: string, key: string, token: string, turns: number, label: string): Promise<string> {
  const start = await post(`${url}/v1/conversations`, key, { widgetId: 'shop-portal', token });
  if (start.status !== 201) throw new Error(`could not start a conversation: ${start.status} ${JSON.stringify(start.body)}`);
  const id = start.body.conversationId as string;
  let sent = 0;
  while (sent < turns) {
    const batch = Array.from({ length: Math.min(FILL_BATCH, turns - sent) }, (_, i) => sent + i);
    // Without a token after the first message the flow stays the same; a token per message is what the http bench sends.
    const answers = await Promise.all(batch.map((n) => post(`${url}/v1/conversations/${id}/turns`, key, { type: 'message', text: CYCLE[n % CYCLE.length], token })));
    const bad = answers.find((a) => a.status !== 200);
    if (bad) throw new Error(`turn refused while filling: ${bad.status} ${JSON.stringify(bad.body)}`);
    sent += batch.length;
    if (sent % 1000 === 0) progress(`timeline ${label}: ${sent}/${turns} turns`);
  }
  return id;
}

/** Counts a conversation's timeline entries by paging back through /timeline (seq is not a count on PostgreSQL). */
async function countEntries(url: string, key: string, id: string): Promise<number> {
  let n = 0;
  let before: number | null = null;
  do {
    const r = await fetch(`${url}/v1/conversations/${id}/timeline?limit=200${before === null ? '' : `&before=${before}`}`, { headers: { authorization: `Bearer ${key}` } });
    const page = (await r.json()) as { timeline: unknown[]; timelinePage: { nextBefore: number | null } };
    n += page.timeline.length;
    before = page.timelinePage.nextBefore;
  } while (before !== null);
  return n;
}

async function getRun(url: string, key: string, id: string, label: string, limit?: number): Promise<GetRun> {
  const r = await autocannon({
    url: `${url}/v1/conversations/${id}${limit === undefined ? '' : `?limit=${limit}`}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${key}` },
  } as autocannon.Options);
  progress(`timeline ${label}: ${Math.round(r.requests.average)} req/s p50 ${r.latency.p50} ms`);
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, bytes: Math.round(r.throughput.total / Math.max(1, r.requests.total)) };
}

/** Median latency of sequential turns on one conversation for `seconds`, in ms. */
async function turnMedian(url: string, key: string, token: string, seconds: number): Promise<number> {
  const start = await post(`${url}/v1/conversations`, key, { widgetId: 'shop-portal', token });
  const id = start.body.conversationId as string;
  const took: number[] = [];
  const until = Date.now() + seconds * 1000;
  for (let n = 0; Date.now() < until; n++) {
    const t0 = performance.now();
    const r = await post(`${url}/v1/conversations/${id}/turns`, key, { type: 'message', text: CYCLE[n % CYCLE.length], token });
    if (r.status !== 200) throw new Error(`turn refused: ${r.status} ${JSON.stringify(r.body)}`);
    took.push(performance.now() - t0);
  }
  return round(medianOf(took));
}

/** An unrelated conversation's turn median alone, then while four readers GET the long conversation without pause. */
async function turnsBesideReaders(url: string, key: string, token: string, longId: string): Promise<{ alone: number; withReaders: number }> {
  const alone = await turnMedian(url, key, token, SECONDS);
  const readers = autocannon({ url: `${url}/v1/conversations/${longId}`, connections: 4, duration: SECONDS + 1, headers: { authorization: `Bearer ${key}` } } as autocannon.Options);
  const withReaders = await turnMedian(url, key, token, SECONDS);
  await readers;
  return { alone, withReaders };
}

const medianOf = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface TimelineResult {
  store: string;
  longTurns: number;
  longEntries: number;
  shortEntries: number;
  long: GetRun[];
  short: GetRun[];
  /** The long conversation read with a page as long as the short one's whole timeline. */
  longSamePage: GetRun[];
  /** Median time per GET of the long conversation over that of the short one (from req/s at the same connections). */
  timeRatio: number;
  /** The same, with the long conversation's page no longer than the short one's timeline: what length alone costs. */
  samePageRatio: number;
  /** Median ms of another conversation's turns, alone and beside four readers of the long conversation. */
  turns: { alone: number; withReaders: number };
}

async function runOn(store: 'sqlite' | 'postgres'): Promise<TimelineResult> {
  const dataDir = await mkdtemp(join(process.env.BENCH_DATA_DIR ?? tmpdir(), 'tg-bench-timeline-'));
  const schema = store === 'postgres' ? benchSchemaName() : null;
  const env: Record<string, string> = schema ? { DATABASE_URL: PG_URL, THREADGATE_DATABASE_SCHEMA: schema } : {};
  const service = await startService(dataDir, env);
  try {
    const token = await shopToken('julie@example.com');
    progress(`timeline (${store}): filling a ${LONG_TURNS}-turn conversation and a ${SHORT_TURNS}-turn one`);
    const longId = await fill(service.url, service.runtimeKey, token, LONG_TURNS, `${store} long`);
    const shortId = await fill(service.url, service.runtimeKey, token, SHORT_TURNS, `${store} short`);
    const longEntries = await countEntries(service.url, service.runtimeKey, longId);
    const shortEntries = await countEntries(service.url, service.runtimeKey, shortId);
    await getRun(service.url, service.runtimeKey, shortId, `${store} warm-up`);
    const long: GetRun[] = [];
    const short: GetRun[] = [];
    const longSamePage: GetRun[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      long.push(await getRun(service.url, service.runtimeKey, longId, `${store} ${LONG_TURNS}-turn GET, round ${r + 1}`));
      short.push(await getRun(service.url, service.runtimeKey, shortId, `${store} ${SHORT_TURNS}-turn GET, round ${r + 1}`));
      longSamePage.push(await getRun(service.url, service.runtimeKey, longId, `${store} ${LONG_TURNS}-turn GET ?limit=${shortEntries}, round ${r + 1}`, shortEntries));
    }
    if (schema) {
      // The page statement the service sent for the long conversation, with the statistics it had.
      const read = await fetch(`${service.url}/v1/conversations/${longId}`, { headers: { authorization: `Bearer ${service.runtimeKey}` } });
      const party = ((await read.json()) as { identity: { party: number } }).identity.party;
      const q = timelineExplain(longId, { limit: shortEntries, party }, 'ANALYZE, BUFFERS');
      for (const line of await explainIn(schema, q.sql, q.rowsAt)) progress(`timeline postgres plan: ${line}`);
    }
    const turns = await turnsBesideReaders(service.url, service.runtimeKey, token, longId);
    progress(`timeline ${store}: another conversation's turn median ${turns.alone} ms alone, ${turns.withReaders} ms beside 4 readers of the long one`);
    const perGet = (xs: GetRun[]) => 1 / Math.max(1, medianOf(xs.map((x) => x.rps)));
    const shortTime = perGet(short);
    return { store, longTurns: LONG_TURNS, longEntries, shortEntries, long, short, longSamePage, turns, timeRatio: round(perGet(long) / shortTime), samePageRatio: round(perGet(longSamePage) / shortTime) };
  } finally {
    await service.stop();
    if (schema) await dropSchema(schema);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** SQLite always; PostgreSQL too when BENCH_TIMELINE_POSTGRES=1 (it needs a server). */
export async function timelineSection(): Promise<Section> {
  const results = [await runOn('sqlite')];
  if (process.env.BENCH_TIMELINE_POSTGRES === '1') results.push(await runOn('postgres'));
  const rows = results.flatMap((r) =>
    r.long.map((l, i) => {
      const runs = [l, r.short[i]!, r.longSamePage[i]!];
      const cell = (x: GetRun) => `${x.rps} (p50 ${x.p50} ms, ${x.bytes} B)`;
      return [r.store, i + 1, ...runs.map(cell), runs.reduce((n, x) => n + x.non2xx + x.errors, 0)];
    }),
  );
  return {
    name: 'timeline',
    markdown: [
      `GET /v1/conversations/:id (state and the latest timeline page) of a ${LONG_TURNS}-turn conversation against a ${SHORT_TURNS}-turn one on the same service, ${CONNECTIONS} connections, ${SECONDS} s per run, alternated ${ROUNDS} times. Ratio: median time per GET, long over short.`,
      '',
      table(['store', 'round', `${LONG_TURNS}-turn GET req/s`, `${SHORT_TURNS}-turn GET req/s`, `${LONG_TURNS}-turn GET, page as long as the short timeline`, 'non-2xx + errors'], rows),
      '',
      ...results.map(
        (r) =>
          `- ${r.store}: ${r.longEntries} timeline entries against ${r.shortEntries}; time ratio ${r.timeRatio}× with the default page, ${r.samePageRatio}× with a page of ${r.shortEntries} (what the length alone costs). Another conversation's turns: median ${r.turns.alone} ms alone, ${r.turns.withReaders} ms while four readers GET the long conversation without pause.`,
      ),
    ].join('\n'),
    data: { results },
    targets: results.map((r) => {
      const bad = [...r.long, ...r.short, ...r.longSamePage].reduce((n, x) => n + x.non2xx + x.errors, 0);
      return { label: `${r.store}: GET of a ${LONG_TURNS}-turn conversation vs a ${SHORT_TURNS}-turn one (time ratio)`, value: `${r.timeRatio}×, ${bad} non-2xx/errors`, target: '≤ 2×, 0 non-2xx', met: r.timeRatio <= 2 && bad === 0 };
    }),
  };
}
