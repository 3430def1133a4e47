// Service configuration from the environment and an optional JSON or YAML file, validated with zod.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ThreadgateError } from '../core/errors.ts';

export const ConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    dataDir: z.string().min(1).default('data'),
    /** SQLite file (default `<dataDir>/threadgate.db`) or `:memory:`. */
    database: z.string().min(1).optional(),
    /** `postgres://…` or `postgresql://…` selects the PostgreSQL store (several instances on one database); unset: SQLite. */
    databaseUrl: z.string().regex(/^postgres(ql)?:\/\//i, 'must start with postgres:// or postgresql://').optional(),
    /** PostgreSQL schema holding threadgate's tables (created when missing); unset: the connection's search_path. */
    databaseSchema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain identifier (letters, digits, _)').optional(),
    databasePoolMax: z.coerce.number().int().min(1).max(1000).default(10),
    databasePoolIdleMs: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    databaseConnectTimeoutMs: z.coerce.number().int().min(100).max(120_000).default(5000),
    rulesDir: z.string().min(1).default('rules'),
    /** Transcripts POST /v1/threads/:id/coverage replays when the body sends none (default test/conversations when it exists). */
    transcriptsDir: z.string().min(1).optional(),
    /** Where API keys are generated on first start (default `<dataDir>/api-keys.json`). */
    apiKeysFile: z.string().min(1).optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    bodyLimitBytes: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
    requestTimeoutMs: z.coerce.number().int().min(1000).max(600_000).default(15_000),
    /** How long a turn waits for the earlier turns on its conversation (this instance's queue, then the lock) before 503 conversation_busy. */
    turnWaitMs: z.coerce.number().int().min(10).max(600_000).default(10_000),
    rateLimitPerMinute: z.coerce.number().int().min(1).max(1_000_000).default(1200),
    /** Requests with a missing or wrong API key one client address may make per minute; then 429 (valid keys still pass). */
    authFailuresPerMinute: z.coerce.number().int().min(1).max(1_000_000).default(30),
    identityIssuer: z.string().min(1).default('threadgate'),
    identityAudience: z.string().min(1).default('threadgate'),
    identityTokenTtlSeconds: z.coerce.number().int().min(30).max(3600).default(300),
    shutdownGraceMs: z.coerce.number().int().min(0).max(120_000).default(10_000),
    /** Generate HMAC secrets that widgets name by env variable when unset (development); off in production. */
    generateSecrets: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(true),
    secretsFile: z.string().min(1).optional(),
    /** SQLite durability: full (fsync every commit, survives power loss) or normal (survives process crashes). */
    sqliteSynchronous: z.enum(['full', 'normal']).default('full'),
    /** Hosts `lookup` steps may call: comma-separated in the environment, a list or a string in the file. None by default. */
    lookupAllowHosts: z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((h) => h.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^(\*\.)?[A-Za-z0-9.:[\]-]+$/, 'must be host names like orders.example.com or *.example.com')))
      .default([]),
    /** Lets lookups reach loopback/private addresses over plain http: local test servers only, never in production. */
    lookupAllowPrivate: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
      .transform((v) => v === true || v === 'true' || v === '1')
      .default(false),
  })
  .strict();

export type ServiceConfig = Omit<z.output<typeof ConfigSchema>, 'databaseUrl' | 'databaseSchema' | 'transcriptsDir'> & {
  database: string;
  transcriptsDir: string | null;
  databaseUrl: string | null;
  databaseSchema: string | null;
  apiKeysFile: string;
  secretsFile: string;
};

const ENV: Record<string, keyof z.input<typeof ConfigSchema>> = {
  HOST: 'host',
  PORT: 'port',
  THREADGATE_DATA_DIR: 'dataDir',
  THREADGATE_DATABASE: 'database',
  DATABASE_URL: 'databaseUrl',
  THREADGATE_DATABASE_SCHEMA: 'databaseSchema',
  THREADGATE_DATABASE_POOL_MAX: 'databasePoolMax',
  THREADGATE_DATABASE_POOL_IDLE_MS: 'databasePoolIdleMs',
  THREADGATE_DATABASE_CONNECT_TIMEOUT_MS: 'databaseConnectTimeoutMs',
  THREADGATE_RULES: 'rulesDir',
  THREADGATE_TRANSCRIPTS_DIR: 'transcriptsDir',
  THREADGATE_API_KEYS_FILE: 'apiKeysFile',
  THREADGATE_LOG_LEVEL: 'logLevel',
  THREADGATE_BODY_LIMIT_BYTES: 'bodyLimitBytes',
  THREADGATE_REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
  THREADGATE_TURN_WAIT_MS: 'turnWaitMs',
  THREADGATE_RATE_LIMIT_PER_MINUTE: 'rateLimitPerMinute',
  THREADGATE_AUTH_FAILURES_PER_MINUTE: 'authFailuresPerMinute',
  THREADGATE_IDENTITY_ISSUER: 'identityIssuer',
  THREADGATE_IDENTITY_AUDIENCE: 'identityAudience',
  THREADGATE_IDENTITY_TOKEN_TTL_SECONDS: 'identityTokenTtlSeconds',
  THREADGATE_SHUTDOWN_GRACE_MS: 'shutdownGraceMs',
  THREADGATE_GENERATE_SECRETS: 'generateSecrets',
  THREADGATE_SECRETS_FILE: 'secretsFile',
  THREADGATE_SQLITE_SYNCHRONOUS: 'sqliteSynchronous',
  THREADGATE_LOOKUP_ALLOW_HOSTS: 'lookupAllowHosts',
  THREADGATE_LOOKUP_ALLOW_PRIVATE: 'lookupAllowPrivate',
};

export const DEFAULT_TRANSCRIPTS_DIR = 'test/conversations';

const isFolder = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/**
 * Reads the config: the file named by THREADGATE_CONFIG (JSON or YAML) first, then environment variables
 * over it. Throws `config_invalid` naming every bad setting and where it came from.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<z.input<typeof ConfigSchema>> = {}): ServiceConfig {
  let fromFile: Record<string, unknown> = {};
  const file = env.THREADGATE_CONFIG;
  if (file) {
    try {
      const parsed: unknown = parse(readFileSync(file, 'utf8'));
      if (parsed !== null && typeof parsed !== 'object') throw new Error('the file must hold an object');
      fromFile = (parsed ?? {}) as Record<string, unknown>;
    } catch (err) {
      throw new ThreadgateError('config_invalid', `Cannot read THREADGATE_CONFIG file "${file}": ${(err as Error).message}`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV)) if (env[name] !== undefined && env[name] !== '') fromEnv[key] = env[name];
  const result = ConfigSchema.safeParse({ ...fromFile, ...fromEnv, ...overrides });
  if (!result.success) {
    const envName = (key: string) => Object.entries(ENV).find(([, k]) => k === key)?.[0];
    const issues = result.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const source = key in fromEnv ? `environment variable ${envName(key)}` : key in fromFile ? `${file}: ${key}` : key || 'config';
      return { code: 'config_invalid' as const, message: `${source}: ${i.code === 'unrecognized_keys' ? `unknown setting(s) ${i.keys.join(', ')}` : i.message}` };
    });
    throw ThreadgateError.fromIssues(issues);
  }
  const c = result.data;
  if (c.transcriptsDir !== undefined && !isFolder(c.transcriptsDir)) {
    const source = 'transcriptsDir' in fromEnv ? 'environment variable THREADGATE_TRANSCRIPTS_DIR' : 'transcriptsDir' in fromFile ? `${file}: transcriptsDir` : 'transcriptsDir';
    throw new ThreadgateError('config_invalid', `${source}: "${c.transcriptsDir}" is not a folder`);
  }
  return {
    ...c,
    database: c.database ?? join(c.dataDir, 'threadgate.db'),
    databaseUrl: c.databaseUrl ?? null,
    databaseSchema: c.databaseSchema ?? null,
    // The repository's own transcripts when the service runs from a checkout; a deployment without them has none.
    transcriptsDir: c.transcriptsDir ?? (isFolder(DEFAULT_TRANSCRIPTS_DIR) ? DEFAULT_TRANSCRIPTS_DIR : null),
    apiKeysFile: c.apiKeysFile ?? join(c.dataDir, 'api-keys.json'),
    secretsFile: c.secretsFile ?? join(c.dataDir, 'secrets.json'),
  };
}
