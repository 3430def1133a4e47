// A tiny Prometheus registry (counters, gauges, histograms; text format 0.0.4), so metrics cost no dependency.
import type { FastifyInstance } from 'fastify';
import { TOKEN_REJECTION_REASONS } from '../auth/token-rejection.ts';
import type { TurnObservation } from '../runtime/conversation-service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ThreadgateMetrics;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type LabelValues<L extends string> = Record<L, string>;

// The exposition format escapes `\`, `"` and newlines in label values, and `\` and newlines in help texts.
const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const formatNumber = (n: number) => (n === Infinity ? '+Inf' : n === -Infinity ? '-Inf' : Number.isNaN(n) ? 'NaN' : String(n));
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function renderLabels(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const pairs = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

interface Metric {
  readonly name: string;
  render(): string[];
}

abstract class Labelled<L extends string, V> implements Metric {
  // Series keyed by their label values joined with a separator that cannot appear unescaped (\u0000).
  protected readonly series = new Map<string, { values: string[]; value: V }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    for (const l of labelNames) if (!LABEL_NAME.test(l) || l === 'le') throw new Error(`invalid label name ${l} on ${name}`);
  }

  protected entry(labels: LabelValues<L>, init: () => V): V {
    const values = this.labelNames.map((l) => labels[l]);
    const key = values.join('\u0000');
    let e = this.series.get(key);
    if (!e) {
      e = { values, value: init() };
      this.series.set(key, e);
    }
    return e.value;
  }

  abstract render(): string[];
}

export class Counter<L extends string = never> extends Labelled<L, { n: number }> {
  inc(labels: LabelValues<L>, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name} can only go up`);
    this.entry(labels, () => ({ n: 0 })).n += by;
  }

  /** The current value of one series (0 when it was never incremented); tests and health checks read it. */
  get(labels: LabelValues<L>): number {
    return this.series.get(this.labelNames.map((l) => labels[l]).join('\u0000'))?.value.n ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} counter`];
    for (const { values, value } of this.series.values()) lines.push(`${this.name}${renderLabels(this.labelNames, values)} ${formatNumber(value.n)}`);
    return lines;
  }
}

export class Histogram<L extends string = never> extends Labelled<L, { buckets: number[]; sum: number; count: number }> {
  readonly bounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly L[], bounds: readonly number[]) {
    super(name, help, labelNames);
    if (bounds.some((b, i) => i > 0 && b <= bounds[i - 1]!)) throw new Error(`histogram ${name}: buckets must increase`);
    this.bounds = bounds;
  }

  observe(labels: LabelValues<L>, value: number): void {
    const h = this.entry(labels, () => ({ buckets: this.bounds.map(() => 0), sum: 0, count: 0 }));
    // Buckets are stored non-cumulative and summed when rendered.
    const i = this.bounds.findIndex((b) => value <= b);
    if (i >= 0) h.buckets[i]! += 1;
    h.sum += value;
    h.count += 1;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`];
    for (const { values, value } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((b, i) => {
        cumulative += value.buckets[i]!;
        lines.push(`${this.name}_bucket${renderLabels(this.labelNames, values, ['le', formatNumber(b)])} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${renderLabels(this.labelNames, values, ['le', '+Inf'])} ${value.count}`);
      lines.push(`${this.name}_sum${renderLabels(this.labelNames, values)} ${formatNumber(value.sum)}`);
      lines.push(`${this.name}_count${renderLabels(this.labelNames, values)} ${value.count}`);
    }
    return lines;
  }
}

/** A gauge read when scraped (uptime, memory): no state to keep in step. */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${name}`);
  }

  render(): string[] {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} gauge`, `${this.name} ${formatNumber(this.read())}`];
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  private add<M extends Metric>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.metrics.push(m);
    return m;
  }

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.add(new Counter<L>(name, help, labelNames));
  }

  histogram<L extends string = never>(name: string, help: string, labelNames: readonly L[], buckets: readonly number[]): Histogram<L> {
    return this.add(new Histogram<L>(name, help, labelNames, buckets));
  }

  gauge(name: string, help: string, read: () => number): Gauge {
    return this.add(new Gauge(name, help, read));
  }

  /** The text exposition format 0.0.4: HELP, TYPE and samples per metric, ending with a newline. */
  render(): string {
    return `${this.metrics.flatMap((m) => m.render()).join('\n')}\n`;
  }
}

export const TURN_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

// Label values come from closed sets only: an open label (a reason string, a raw URL, a method) would let a
// caller grow the registry without bound or slip customer data into a public endpoint.
const KNOWN_REJECTIONS = new Set<string>([...TOKEN_REJECTION_REASONS, 'jwt_not_configured']);
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function createThreadgateMetrics(startedAt = Date.now()) {
  const registry = new MetricsRegistry();
  const turns = registry.counter('threadgate_turns_total', 'Conversation starts and turns by outcome (applied, replayed, or the error code).', ['kind', 'outcome']);
  const turnDuration = registry.histogram('threadgate_turn_duration_seconds', 'Time to apply a start or a turn, retries included.', ['kind'], TURN_DURATION_BUCKETS);
  const tokenRejections = registry.counter('threadgate_token_rejections_total', 'Identity tokens refused, by stable rejection reason.', ['reason']);
  const customerMessages = registry.counter('threadgate_customer_messages_total', 'Customer messages applied, by whether they were sent under a valid token.', ['trusted']);
  const httpRequests = registry.counter('threadgate_http_requests_total', 'HTTP answers by method, route pattern and status.', ['method', 'route', 'status']);
  const authFailures = registry.counter('threadgate_auth_failures_total', 'Requests refused for a missing or wrong API key: unauthorized (401), or limited (429, the address failed too often).', ['outcome']);
  const storeFailures = registry.counter('threadgate_store_failures_total', 'Requests answered 503 store_unavailable, by the database error (SQLITE_FULL, a SQLSTATE, connection_lost, ...).', ['reason']);
  registry.gauge('threadgate_uptime_seconds', 'Seconds since this app instance was built.', () => (Date.now() - startedAt) / 1000);
  registry.gauge('process_resident_memory_bytes', 'Resident set size of the process.', () => process.memoryUsage.rss());

  return {
    registry,
    turns,
    turnDuration,
    tokenRejections,
    customerMessages,
    httpRequests,
    authFailures,
    storeFailures,
    /** Feeds one ConversationService observation in; replays count as turns but not as messages again. */
    observeTurn(o: TurnObservation): void {
      turns.inc({ kind: o.kind, outcome: o.outcome });
      turnDuration.observe({ kind: o.kind }, o.durationMs / 1000);
      if (o.outcome !== 'applied') return;
      for (const out of o.outputs) {
        if (out.type !== 'notice' || out.code !== 'token_rejected') continue;
        const reason = String(out.detail?.reason ?? '');
        tokenRejections.inc({ reason: KNOWN_REJECTIONS.has(reason) ? reason : 'other' });
      }
      if (o.trusted !== null) customerMessages.inc({ trusted: String(o.trusted) });
    },
    observeHttp(method: string, route: string | undefined, status: number): void {
      httpRequests.inc({ method: KNOWN_METHODS.has(method) ? method : 'other', route: route ?? 'unmatched', status: String(status) });
    },
    render: () => registry.render(),
  };
}

export type ThreadgateMetrics = ReturnType<typeof createThreadgateMetrics>;

/**
 * Decorates `app.metrics`, subscribes to `conversations.onTurn` (keeping an observer set before) and counts
 * every answer by route pattern. Call before routes are registered so the hook covers all of them.
 */
export function registerMetrics(app: FastifyInstance): ThreadgateMetrics {
  const metrics = createThreadgateMetrics();
  app.decorate('metrics', metrics);
  const conversations = app.services.conversations;
  const previous = conversations.onTurn;
  conversations.onTurn = (o) => {
    previous?.(o);
    metrics.observeTurn(o);
  };
  app.addHook('onResponse', (request, reply, done) => {
    // routeOptions.url is the pattern (/v1/conversations/:id); unmatched URLs never become a label.
    metrics.observeHttp(request.method, request.is404 ? undefined : request.routeOptions.url, reply.statusCode);
    done();
  });
  return metrics;
}
