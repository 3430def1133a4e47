// HTTP benchmark: a full turn (API key, HS256 token verification, rules, SQLite commit) through the real
// service in its own process, against a bare fastify route in another process, both driven by autocannon.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progress, round, table, type Section } from './lib.ts';
import { load, post, rssOf, shopToken, startBare, startService, type LoadResult } from './processes.ts';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const CONVERSATIONS = Number(process.env.BENCH_HTTP_CONVERSATIONS ?? 400);
const CONNECTIONS = (process.env.BENCH_HTTP_CONNECTIONS ?? '10,50').split(',').map(Number);
export const HOT_EVERY = 10;

export interface HttpRow {
  connections: number;
  service: LoadResult;
  bare: LoadResult;
  throughputRatio: number;
}

export async function runHttp(): Promise<{ rows: HttpRow[]; rssBytes: number | null; conversations: number }> {
  const dataDir = await mkdtemp(join(process.env.BENCH_DATA_DIR ?? tmpdir(), 'tg-bench-http-'));
  const service = await startService(dataDir);
  const bare = await startBare();
  try {
    const token = await shopToken('julie@example.com');
    progress(`http: creating ${CONVERSATIONS} conversations on shop-portal (signed in by token)`);
    const ids: string[] = [];
    for (let i = 0; i < CONVERSATIONS + 1; i++) {
      const r = await post(`${service.url}/v1/conversations`, service.runtimeKey, { widgetId: 'shop-portal', token });
      if (r.status !== 201) throw new Error(`could not start a conversation: ${r.status} ${JSON.stringify(r.body)}`);
      ids.push(r.body.conversationId);
    }
    const hot = ids.pop()!;
    const rows: HttpRow[] = [];
    // A short warm-up of each process, so the JIT and SQLite caches are warm before the timed runs.
    await load({ url: service.url, key: service.runtimeKey, conversations: ids, hot, hotEvery: HOT_EVERY, token, connections: 10, seconds: 2, label: 'http warm-up service' });
    await load({ url: bare.url, key: service.runtimeKey, conversations: ids, hot, hotEvery: HOT_EVERY, token, connections: 10, seconds: 2, label: 'http warm-up bare' });
    for (const connections of CONNECTIONS) {
      const s = await load({ url: service.url, key: service.runtimeKey, conversations: ids, hot, hotEvery: HOT_EVERY, token, connections, seconds: SECONDS, label: `http service c=${connections}` });
      const b = await load({ url: bare.url, key: service.runtimeKey, conversations: ids, hot, hotEvery: HOT_EVERY, token, connections, seconds: SECONDS, label: `http bare c=${connections}` });
      const row = { connections, service: s, bare: b, throughputRatio: round(s.rps / b.rps, 3) };
      progress(`http c=${connections}: service ${s.rps} req/s p50 ${s.p50} ms p99 ${s.p99} ms (non-2xx ${s.non2xx}); bare ${b.rps} req/s p99 ${b.p99} ms; ratio ${row.throughputRatio}`);
      rows.push(row);
    }
    return { rows, rssBytes: rssOf(service.child.pid), conversations: CONVERSATIONS };
  } finally {
    await service.stop();
    await bare.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function httpSection(): Promise<Section> {
  const r = await runHttp();
  const at50 = r.rows.find((x) => x.connections === 50)!;
  return {
    name: 'http',
    markdown: [
      `POST /v1/conversations/:id/turns with a runtime API key and an HS256 User Identity JWT on every message, ${r.conversations} signed-in conversations walking the return flow (one turn in flight per conversation) plus every ${HOT_EVERY}th request on one shared conversation; ${SECONDS} s per run; service and bare fastify each in their own process, autocannon in the benchmark process (all on the same ${'2'}-core machine).`,
      '',
      table(
        ['connections', 'service req/s', 'service p50 / p99 ms', 'bare req/s', 'bare p50 / p99 ms', 'throughput service/bare', 'service non-2xx'],
        r.rows.map((x) => [x.connections, x.service.rps, `${x.service.p50} / ${x.service.p99}`, x.bare.rps, `${x.bare.p50} / ${x.bare.p99}`, `${round(x.throughputRatio * 100, 1)}%`, x.service.non2xx]),
      ),
      '',
      `Service RSS after the runs: ${r.rssBytes ? `${round(r.rssBytes / 1048576, 1)} MiB` : 'n/a'}.`,
    ].join('\n'),
    data: r,
    targets: [
      // Issue #16's targets: a fifth of a bare route, a p99 a customer would not notice, and every turn answered.
      { label: 'HTTP turn throughput vs bare fastify, 50 connections', value: `${round(at50.throughputRatio * 100, 1)}%`, target: '≥ 20%', met: at50.throughputRatio >= 0.2 },
      { label: 'HTTP turn p99, 50 connections', value: `${at50.service.p99} ms`, target: '≤ 25 ms', met: at50.service.p99 <= 25 },
      { label: 'HTTP turn non-2xx and errors, 50 connections', value: `${at50.service.non2xx + at50.service.errors}`, target: '0', met: at50.service.non2xx + at50.service.errors === 0 },
    ],
  };
}
