// PostgreSQL benchmark: the full HTTP turn of bench/http.ts (same request mix, same autocannon measurement) against
// one service instance on PostgreSQL and two instances sharing one schema, beside the SQLite service and the bare
// fastify baseline measured by bench/http.ts in the same process run.
//
// Two instances: one autocannon with both URLs. autocannon gives connection i the URL i % 2, so each instance gets
// half the connections, and the shared pool of free conversations means a conversation's next turn may go to either
// instance, as behind a load balancer without sticky sessions. One autocannon (rather than two in parallel) keeps a
// single latency histogram, so p50/p99 are exact for the combined load, and keeps the request mix identical.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOT_EVERY, runHttp, type HttpRow } from './http.ts';
import { progress, round, table, type Section } from './lib.ts';
import { benchSchemaName, cpuMeter, dropSchema, PG_URL, postgresInfo, startConversations, type CpuSplit } from './pg-helpers.ts';
import { load, rssOf, shopToken, startService, type LoadResult } from './processes.ts';

// The same settings as bench/http.ts, so both sides run the same load for the same time.
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const POOL_MAX = process.env.BENCH_PG_POOL_MAX ?? '10';
const WARM_UP_SECONDS = 2;

export interface PostgresRow {
  connections: number;
  sqlite: LoadResult;
  bare: LoadResult;
  one: LoadResult;
  two: LoadResult;
  /** Cores busy during the run (this process = autocannon, the instance(s), every postgres process). */
  cpuOne: CpuSplit;
  cpuTwo: CpuSplit;
  /** Throughput ratios. */
  oneVsSqlite: number;
  twoVsSqlite: number;
  twoVsOne: number;
  oneVsBare: number;
  twoVsBare: number;
}

export async function runPostgres(): Promise<{ rows: PostgresRow[]; postgres: Awaited<ReturnType<typeof postgresInfo>>; poolMax: number; conversations: number; rssBytes: (number | null)[] }> {
  const info = await postgresInfo();
  progress(`postgres: ${info.version} at ${PG_URL.replace(/\/\/[^@/]*@/, '//…@')} (synchronous_commit=${info.synchronousCommit}, fsync=${info.fsync})`);
  const connections = (process.env.BENCH_HTTP_CONNECTIONS ?? '10,50').split(',').map(Number);
  const estimate = 4 * WARM_UP_SECONDS + 4 * SECONDS * connections.length;
  progress(`postgres: SQLite baseline first (bench/http.ts, ~${estimate + 10} s), then PostgreSQL (~${2 * WARM_UP_SECONDS + 2 * SECONDS * connections.length + 15} s)`);

  const sqlite = await runHttp();
  const baseline = new Map<number, HttpRow>(sqlite.rows.map((r) => [r.connections, r]));

  const schema = benchSchemaName();
  const dataDir = await mkdtemp(join(process.env.BENCH_DATA_DIR ?? tmpdir(), 'tg-bench-pg-'));
  const env = { DATABASE_URL: PG_URL, THREADGATE_DATABASE_SCHEMA: schema, THREADGATE_DATABASE_POOL_MAX: POOL_MAX };
  const started: Awaited<ReturnType<typeof startService>>[] = [];
  try {
    progress(`postgres: starting instance A on schema ${schema} (pool max ${POOL_MAX})`);
    const a = await startService(dataDir, env);
    started.push(a);
    // B starts after A on the same data folder: it reads the API keys and secrets A generated there (one keys file).
    progress('postgres: starting instance B on the same schema and the same API keys file');
    const b = await startService(dataDir, env);
    started.push(b);
    if (a.runtimeKey !== b.runtimeKey) throw new Error('the two instances do not share their API keys');
    const key = a.runtimeKey;
    const token = await shopToken('julie@example.com');
    progress(`postgres: creating ${sqlite.conversations} conversations on shop-portal (signed in by token)`);
    const { ids, hot } = await startConversations(a.url, key, token, sqlite.conversations);
    const run = (url: string | string[], c: number, seconds: number, label: string) =>
      // autocannon takes an array of URLs (connection i -> URL i % n); load() passes `url` through unchanged.
      load({ url: url as string, key, conversations: ids, hot, hotEvery: HOT_EVERY, token, connections: c, seconds, label });
    await run(a.url, 10, WARM_UP_SECONDS, 'postgres warm-up A');
    await run(b.url, 10, WARM_UP_SECONDS, 'postgres warm-up B');

    const rows: PostgresRow[] = [];
    for (const c of connections) {
      const base = baseline.get(c);
      if (!base) throw new Error(`bench/http.ts gave no row for ${c} connections`);
      // One, then two, back to back for each connection count, so machine noise hits both alike.
      let meter = cpuMeter([a.child.pid!]);
      const one = await run(a.url, c, SECONDS, `postgres 1 instance c=${c}`);
      const cpuOne = meter.stop();
      meter = cpuMeter([a.child.pid!, b.child.pid!]);
      const two = await run([a.url, b.url], c, SECONDS, `postgres 2 instances c=${c}`);
      const cpuTwo = meter.stop();
      const ratio = (x: number, y: number) => round(x / y, 3);
      const row: PostgresRow = {
        connections: c,
        sqlite: base.service,
        bare: base.bare,
        one,
        two,
        cpuOne,
        cpuTwo,
        oneVsSqlite: ratio(one.rps, base.service.rps),
        twoVsSqlite: ratio(two.rps, base.service.rps),
        twoVsOne: ratio(two.rps, one.rps),
        oneVsBare: ratio(one.rps, base.bare.rps),
        twoVsBare: ratio(two.rps, base.bare.rps),
      };
      progress(
        `postgres c=${c}: SQLite ${base.service.rps} req/s p99 ${base.service.p99} ms; PG 1 instance ${one.rps} req/s p50 ${one.p50} p99 ${one.p99} ms (non-2xx ${one.non2xx}); ` +
          `PG 2 instances ${two.rps} req/s p50 ${two.p50} p99 ${two.p99} ms (non-2xx ${two.non2xx}); PG/SQLite ${row.oneVsSqlite}, two/one ${row.twoVsOne}`,
      );
      rows.push(row);
    }
    return { rows, postgres: info, poolMax: Number(POOL_MAX), conversations: sqlite.conversations, rssBytes: started.map((s) => rssOf(s.child.pid)) };
  } finally {
    for (const s of started) await s.stop();
    await rm(dataDir, { recursive: true, force: true });
    await dropSchema(schema).then(
      () => progress(`postgres: dropped schema ${schema}`),
      (err: Error) => progress(`postgres: could not drop schema ${schema}: ${err.message}`),
    );
  }
}

const pct = (x: number) => `${round(x * 100, 1)}%`;
const lat = (r: LoadResult) => `${r.p50} / ${r.p99}`;

export async function postgresSection(): Promise<Section> {
  const r = await runPostgres();
  const rows = r.rows.flatMap((x) => [
    [x.connections, 'bare fastify', x.bare.rps, lat(x.bare), x.bare.non2xx, '', ''],
    [x.connections, 'SQLite, 1 instance', x.sqlite.rps, lat(x.sqlite), x.sqlite.non2xx, '100%', pct(x.sqlite.rps / x.bare.rps)],
    [x.connections, 'PostgreSQL, 1 instance', x.one.rps, lat(x.one), x.one.non2xx, pct(x.oneVsSqlite), pct(x.oneVsBare)],
    [x.connections, 'PostgreSQL, 2 instances', x.two.rps, lat(x.two), x.two.non2xx, pct(x.twoVsSqlite), pct(x.twoVsBare)],
  ]);
  const cpu = (s: CpuSplit) => `${s.loadGenerator} / ${s.service} / ${s.postgres}`;
  return {
    name: 'postgres',
    markdown: [
      `The HTTP turn of bench/http.ts (same ${r.conversations} conversations' mix, every ${HOT_EVERY}th request on one shared conversation, ${SECONDS} s per run) against the SQLite service and bare fastify (bench/http.ts, same process run, first), then one service instance on a fresh PostgreSQL schema and two instances on that schema (one autocannon, connections alternating between the two URLs). ${r.postgres.version}, synchronous_commit=${r.postgres.synchronousCommit}, pool max ${r.poolMax} per instance.`,
      '',
      table(['connections', 'setup', 'req/s', 'p50 / p99 ms', 'non-2xx', 'throughput vs SQLite', 'vs bare'], rows),
      '',
      table(
        ['connections', 'PG/SQLite (1 instance)', 'PG 2 instances / 1', 'cores busy, 1 instance: autocannon / service / postgres', 'cores busy, 2 instances'],
        r.rows.map((x) => [x.connections, `${x.oneVsSqlite}×`, `${x.twoVsOne}×`, cpu(x.cpuOne), cpu(x.cpuTwo)]),
      ),
      '',
      `Instance RSS after the runs: ${r.rssBytes.map((b) => (b ? `${round(b / 1048576, 1)} MiB` : 'n/a')).join(', ')}.`,
    ].join('\n'),
    data: r,
    targets: [],
  };
}
