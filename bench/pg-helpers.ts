// Helpers of the PostgreSQL benchmark: a throw-away schema, conversations to drive, and CPU accounting of the
// processes sharing the machine (load generator, service instances, PostgreSQL backends).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { post } from './processes.ts';

export const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.THREADGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Fails with the command that starts the server when PostgreSQL does not answer; returns its settings of interest. */
export async function postgresInfo(): Promise<{ version: string; synchronousCommit: string; fsync: string; maxConnections: number }> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const q = async (sql: string) => String((await client.query(sql)).rows[0]!.v);
    return {
      version: (await q('SELECT version() AS v')).split(' on ')[0]!,
      synchronousCommit: await q("SELECT current_setting('synchronous_commit') AS v"),
      fsync: await q("SELECT current_setting('fsync') AS v"),
      maxConnections: Number(await q("SELECT current_setting('max_connections') AS v")),
    };
  } catch (err) {
    throw new Error(
      `PostgreSQL does not answer at ${PG_URL} (${(err as Error).message}). Start it with ` +
        '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or point BENCH_DATABASE_URL at a server.',
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh schema name; the service creates the schema at start (THREADGATE_DATABASE_SCHEMA). */
export const benchSchemaName = (): string => `tg_bench_${randomBytes(5).toString('hex')}`;

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * The plan of a statement, run in `schema`: `sql` may be several statements (settings around an EXPLAIN), `rowsAt`
 * says which result holds the plan; one value per row (text lines, or one JSON plan with FORMAT JSON). The plan
 * depends on the statistics at that moment, so a benchmark reads it in the same run (test/store/timeline-plan.test.ts
 * reads it the same way).
 */
export async function explainIn<T = string>(schema: string, sql: string, rowsAt: number, url = PG_URL): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET search_path = "${schema}"`);
    const results = (await client.query(sql)) as unknown as pg.QueryResult<{ 'QUERY PLAN': T }>[];
    return results[rowsAt]!.rows.map((row) => row['QUERY PLAN']);
  } finally {
    await client.end();
  }
}

/** Starts `n` + 1 signed-in conversations on shop-portal (as bench/http.ts does): `n` walked in turn and one hot one. */
export async function startConversations(url: string, key: string, token: string, n: number): Promise<{ ids: string[]; hot: string }> {
  const ids: string[] = [];
  for (let i = 0; i < n + 1; i++) {
    const r = await post(`${url}/v1/conversations`, key, { widgetId: 'shop-portal', token });
    if (r.status !== 201) throw new Error(`could not start a conversation: ${r.status} ${JSON.stringify(r.body)}`);
    ids.push(r.body.conversationId);
  }
  const hot = ids.pop()!;
  return { ids, hot };
}

let ticks = 0;
function clockTicks(): number {
  if (!ticks) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** user+system CPU seconds of a process so far (Linux /proc), 0 when it is gone or not on Linux. */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / clockTicks();
  } catch {
    return 0;
  }
}

/** CPU seconds of every PostgreSQL process on this machine (postmaster, backends, WAL writer, …). */
function postgresCpu(): number {
  let sum = 0;
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/comm`, 'utf8').trim() === 'postgres') sum += cpuOf(Number(e));
    } catch {
      // the process ended meanwhile
    }
  }
  return sum;
}

export interface CpuSplit {
  /** CPU seconds per wall second (1.0 = one core busy) of: */
  loadGenerator: number;
  service: number;
  postgres: number;
}

/** Starts counting CPU of this process (autocannon), the service pids and PostgreSQL; `stop()` gives cores busy per group. */
export function cpuMeter(servicePids: number[]): { stop: () => CpuSplit } {
  const t0 = process.hrtime.bigint();
  const self0 = process.cpuUsage();
  const svc0 = servicePids.reduce((s, p) => s + cpuOf(p), 0);
  const pg0 = postgresCpu();
  return {
    stop: () => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const self = process.cpuUsage(self0);
      const r = (x: number) => Math.round((x / wall) * 100) / 100;
      return {
        loadGenerator: r((self.user + self.system) / 1e6),
        service: r(servicePids.reduce((s, p) => s + cpuOf(p), 0) - svc0),
        postgres: r(postgresCpu() - pg0),
      };
    },
  };
}
