// Starts the threadgate service: config, store (SQLite, or PostgreSQL for several instances), rules, API keys, HTTP; stops gracefully on SIGTERM/SIGINT.
import type { FastifyInstance } from 'fastify';
import { formatIssue, isThreadgateError } from './core/errors.ts';
import { build } from './http/app.ts';
import { ensureStudioBuilt } from './http/studio.ts';
import { loadOrCreateApiKeys } from './http/api-keys.ts';
import { loadConfig, type ServiceConfig } from './http/config.ts';
import { fillMissingSecrets, secretEnvNames } from './http/secrets-file.ts';
import { RulesRegistry } from './runtime/rules-registry.ts';
import { loadRulesDir } from './rules/load-rules-dir.ts';
import { openPostgresStore } from './store/postgres/store.ts';
import { openSqliteStore } from './store/sqlite/store.ts';
import type { Store } from './store/store.port.ts';

/**
 * Paths pino censors. Request bodies and headers are never logged by us, so these are a safety net for a log
 * line that carries them anyway: API keys and cookies in headers, tokens and identity (user, fields, email,
 * phone) in bodies, and jose's `err.payload`, which holds every claim of a refused token (emails, names).
 * pino paths do not recurse: each depth is listed.
 */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'req.body',
  'body.token',
  'body.user',
  'body.fields',
  'body.text',
  'token',
  'email',
  'phone',
  'user',
  'fields',
  'apiKey',
  'key',
  'secret',
  'payload',
  'err.payload',
  'err.claims',
  'error.payload',
  '*.token',
  '*.email',
  '*.phone',
  '*.user',
  '*.fields',
  '*.apiKey',
  '*.secret',
  '*.authorization',
  '*.payload',
  '*.*.token',
  '*.*.email',
  '*.*.phone',
];

/** A URL as logged: no query string (we accept no secrets there, but clients may still send some), emails masked. */
export function loggableUrl(url: string): string {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  return path
    .split('/')
    .map((segment) => (/@|%40/i.test(segment) ? '[redacted]' : segment))
    .join('/');
}

/** The pino settings of the service; tests build the app with the same ones plus a `stream`. */
export function loggerOptions(level: string) {
  return {
    level,
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Replaces fastify's default, which logs the full URL with its query string.
      req(request: { method?: string; url?: string; ip?: string; routeOptions?: { url?: string } }) {
        return { method: request.method, url: typeof request.url === 'string' ? loggableUrl(request.url) : undefined, route: request.routeOptions?.url, remoteAddress: request.ip };
      },
    },
  };
}

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  config: ServiceConfig;
  url: string;
  /** Graceful: drain, close the app, close the store. */
  stop: () => Promise<void>;
  /** After the grace period: cut every connection and close the store (bounded), for an exit that leaves no WAL. */
  abort: () => Promise<void>;
}

/** Starts the service and returns once it listens; `log` receives the start-up lines meant for a person. */
export async function startServer(env: Record<string, string | undefined> = process.env, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<RunningServer> {
  const config = loadConfig(env);
  // Rules are checked before anything is opened or written, so a broken file stops the start cleanly.
  const rules = await loadRulesDir(config.rulesDir);
  const secretEnv = { ...env };
  if (config.generateSecrets) {
    const { values, generated } = await fillMissingSecrets(config.secretsFile, secretEnvNames(rules.widgets.values()), env);
    Object.assign(secretEnv, values);
    if (generated.length) log(`threadgate: generated development secrets ${generated.join(', ')} into ${config.secretsFile} (set them in the environment in production)`);
  }
  const store = await openStore(config);
  try {
    const registry = new RulesRegistry(store, secretEnv);
    // Instances starting at once on one PostgreSQL database seed one after the other, so a changed thread
    // file is published once (the second finds it active already), never as two identical versions.
    const seeded = await store.exclusively('seed-rules', () => registry.seedFromDir(config.rulesDir, new Date().toISOString()));
    const keys = await loadOrCreateApiKeys(config.apiKeysFile);
    // A clone whose install skipped the prepare script still serves /studio: built here, once.
    await ensureStudioBuilt(log);
    const app = await build({
      store,
      registry,
      keyring: keys.keyring,
      bodyLimitBytes: config.bodyLimitBytes,
      rateLimitPerMinute: config.rateLimitPerMinute,
      authFailuresPerMinute: config.authFailuresPerMinute,
      requestTimeoutMs: config.requestTimeoutMs,
      turnWaitMs: config.turnWaitMs,
      identity: { issuer: config.identityIssuer, audience: config.identityAudience, ttlSeconds: config.identityTokenTtlSeconds },
      logger: loggerOptions(config.logLevel),
      lookups: { allowHosts: config.lookupAllowHosts, allowPrivate: config.lookupAllowPrivate },
      transcriptsDir: config.transcriptsDir,
    });
    const url = await app.listen({ host: config.host, port: config.port });
    for (const p of seeded.published) log(`threadgate: published thread ${p.threadId} v${p.version} from ${config.rulesDir}`);
    // Never the URL itself: it may carry a password.
    const where = store.kind === 'postgres' ? `PostgreSQL${config.databaseSchema ? ` (schema ${config.databaseSchema})` : ''}` : `SQLite at ${config.database}`;
    log(`threadgate: ${rules.threads.size} thread(s), ${rules.widgets.size} widget(s); ${where}`);
    log(keys.created ? `threadgate: generated API keys (runtime, admin, identity) into ${keys.file}; read them from there` : `threadgate: API keys from ${keys.file}`);
    log(`threadgate: listening on ${url} (API docs at ${url}/docs)`);
    let stopping: Promise<void> | null = null;
    const stop = () =>
      (stopping ??= (async () => {
        // The drain keeps listening (probes get their answers) until the requests in flight are answered; then
        // the app closes, then the database (which checkpoints the WAL).
        await app.drain();
        await store.close();
      })());
    const abort = async () => {
      // The grace period is over: cut what is left, and still close the database so no WAL is left behind.
      app.connections.destroyAll();
      await Promise.race([store.close(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    };
    return { app, store, config, url, stop, abort };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** PostgreSQL when DATABASE_URL names one, the embedded SQLite file otherwise. */
function openStore(config: ServiceConfig): Promise<Store> {
  if (!config.databaseUrl) return openSqliteStore({ path: config.database, synchronous: config.sqliteSynchronous });
  return openPostgresStore({
    connectionString: config.databaseUrl,
    ...(config.databaseSchema ? { schema: config.databaseSchema } : {}),
    pool: { max: config.databasePoolMax, idleTimeoutMillis: config.databasePoolIdleMs, connectionTimeoutMillis: config.databaseConnectTimeoutMs },
  });
}

/** The `npm start` entry: starts, and stops on SIGTERM/SIGINT within the configured grace period. */
export async function serveForever(env: Record<string, string | undefined> = process.env): Promise<number> {
  let server: RunningServer;
  try {
    server = await startServer(env);
  } catch (err) {
    if (isThreadgateError(err)) {
      process.stderr.write(`threadgate: cannot start:\n${err.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}\n`);
      return 1;
    }
    process.stderr.write(`threadgate: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    const onSignal = (signal: string) => {
      process.stdout.write(`threadgate: ${signal}, finishing in-flight requests\n`);
      const timer = setTimeout(() => {
        // Requests still running past the grace period are cut off: the process must end for the orchestrator.
        process.stderr.write('threadgate: shutdown grace period over, cutting the requests still in flight and exiting\n');
        void server.abort().finally(() => {
          resolve(1);
          process.exit(1);
        });
      }, server.config.shutdownGraceMs);
      timer.unref();
      void server.stop().then(() => {
        clearTimeout(timer);
        resolve(0);
      });
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
}
