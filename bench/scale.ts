// Scale benchmark: turn latency with N conversations already stored (10k vs 1M by default), store bytes
// per conversation and the service's RSS. Conversations are filled in batches straight into the SQLite file.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { progress, round, table, type Section } from './lib.ts';
import { load, post, rssOf, shopToken, startService, type LoadResult } from './processes.ts';

const SMALL = Number(process.env.BENCH_SCALE_SMALL ?? 10_000);
const LARGE = Number(process.env.BENCH_SCALE_LARGE ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 8);
const CONNECTIONS = 10;
const SAMPLE = 20_000;
const BATCH = 10_000;

interface Template {
  conversation: Record<string, unknown>;
  entries: Record<string, unknown>[];
}

/** Copies one real conversation (started through the API: signed in, at the menu) N times, in batches. */
function fill(dbFile: string, template: Template, count: number): void {
  const db = new Database(dbFile);
  // Bulk load only: the service reopens the file with its own (durable) settings afterwards.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const c = template.conversation;
  const insertConv = db.prepare(
    `INSERT INTO conversations (id, widget_id, thread_id, thread_version, version, state, status, scenario, auth_status, onboarding_type, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertEntry = db.prepare('INSERT INTO timeline_entries (conversation_id, turn, party, sender, text, trusted, at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = randomUUID();
      const created = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 1000).toISOString();
      insertConv.run(id, c.widget_id, c.thread_id, c.thread_version, c.version, c.state, c.status, c.scenario, c.auth_status, c.onboarding_type, created, created);
      for (const e of template.entries) insertEntry.run(id, e.turn, e.party, e.sender, e.text, e.trusted, created);
    }
  });
  const t0 = Date.now();
  for (let from = 0; from < count; from += BATCH) {
    batch(from, Math.min(count, from + BATCH));
    if ((from / BATCH) % 20 === 19) progress(`scale: filled ${from + BATCH} of ${count} conversations (${Math.round((from + BATCH) / ((Date.now() - t0) / 1000))}/s)`);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

export interface ScaleRow {
  stored: number;
  fillSeconds: number;
  bytesPerConversation: number;
  load: LoadResult;
  rssBytes: number | null;
}

async function measure(count: number): Promise<ScaleRow> {
  const dataDir = await mkdtemp(join(process.env.BENCH_DATA_DIR ?? tmpdir(), 'tg-bench-scale-'));
  const dbFile = join(dataDir, 'threadgate.db');
  try {
    // 1. A real conversation as the template (and the schema, seeded thread and API keys).
    let service = await startService(dataDir);
    const token = await shopToken('julie@example.com');
    const started = await post(`${service.url}/v1/conversations`, service.runtimeKey, { widgetId: 'shop-portal', token });
    if (started.status !== 201) throw new Error(`could not start the template conversation: ${started.status}`);
    await service.stop();
    const ro = new Database(dbFile, { readonly: true });
    const template: Template = {
      conversation: ro.prepare('SELECT * FROM conversations WHERE id = ?').get(started.body.conversationId) as Record<string, unknown>,
      entries: ro.prepare('SELECT * FROM timeline_entries WHERE conversation_id = ? ORDER BY seq').all(started.body.conversationId) as Record<string, unknown>[],
    };
    ro.close();
    // 2. Fill.
    progress(`scale: filling ${count} conversations (${template.entries.length} timeline entries each)`);
    const t0 = Date.now();
    fill(dbFile, template, count - 1);
    const fillSeconds = (Date.now() - t0) / 1000;
    const bytes = (await stat(dbFile)).size;
    const sampleDb = new Database(dbFile, { readonly: true });
    const total = (sampleDb.prepare('SELECT count(*) AS n FROM conversations').get() as { n: number }).n;
    // A random sample spread over the whole table, so turns hit cold pages as well as warm ones.
    const ids = sampleDb.prepare(`SELECT id FROM conversations WHERE id != ? ORDER BY random() LIMIT ${SAMPLE}`).pluck().all(started.body.conversationId) as string[];
    sampleDb.close();
    progress(`scale: ${total} conversations stored in ${round(fillSeconds, 1)} s, ${round(bytes / total)} bytes each; measuring turns`);
    // 3. Turns on stored conversations through the real service.
    service = await startService(dataDir);
    try {
      const result = await load({ url: service.url, key: service.runtimeKey, conversations: ids, hot: null, hotEvery: Number.MAX_SAFE_INTEGER, token, connections: CONNECTIONS, seconds: SECONDS, label: `scale ${count}` });
      return { stored: total, fillSeconds: round(fillSeconds, 1), bytesPerConversation: Math.round(bytes / total), load: result, rssBytes: rssOf(service.child.pid) };
    } finally {
      await service.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function runScale(): Promise<{ small: ScaleRow; large: ScaleRow; p50Ratio: number; meanRatio: number; p99Ratio: number }> {
  const small = await measure(SMALL);
  const large = await measure(LARGE);
  return { small, large, p50Ratio: round(large.load.p50 / small.load.p50), meanRatio: round(large.load.mean / small.load.mean), p99Ratio: round(large.load.p99 / small.load.p99) };
}

export async function scaleSection(): Promise<Section> {
  const r = await runScale();
  const row = (x: ScaleRow) => [x.stored, x.fillSeconds, x.load.rps, x.load.mean, `${x.load.p50} / ${x.load.p99}`, x.load.non2xx, x.bytesPerConversation, x.rssBytes ? round(x.rssBytes / 1048576, 1) : 'n/a'];
  return {
    name: 'scale',
    markdown: [
      `Each store is filled (in batches of ${BATCH}, straight into the SQLite file) with copies of a real signed-in conversation waiting at the menu, with its short timeline; then the service turns the first message of ${SAMPLE} randomly chosen stored conversations (one in flight per conversation), ${CONNECTIONS} connections for ${SECONDS} s. Counts: BENCH_SCALE_SMALL=${SMALL}, BENCH_SCALE_LARGE=${LARGE}.`,
      '',
      table(['stored', 'fill s', 'req/s', 'mean ms', 'p50 / p99 ms', 'non-2xx', 'file bytes / conversation', 'service RSS MiB'], [row(r.small), row(r.large)]),
      '',
      `Latency ratio large/small: mean ${r.meanRatio}×, p50 ${r.p50Ratio}×, p99 ${r.p99Ratio}×.`,
    ].join('\n'),
    data: r,
    targets: [
      { label: `turn latency (mean) at ${LARGE} vs ${SMALL} stored`, value: `${r.meanRatio}×`, target: '≤ 1.2×', met: r.meanRatio <= 1.2 },
      { label: 'store bytes per idle conversation (short timeline)', value: String(r.large.bytesPerConversation), target: '≤ 2048', met: r.large.bytesPerConversation <= 2048 },
    ],
  };
}
