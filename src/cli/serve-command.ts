// `threadgate serve`: runs the HTTP service with the rules folder loaded, on the embedded SQLite store or on PostgreSQL (DATABASE_URL).
import { processIo, type CliIo } from './io.ts';

const HELP = `threadgate serve [rules-dir]

Runs the HTTP service (what \`npm start\` runs). Settings come from the environment (and THREADGATE_CONFIG,
a JSON or YAML file): HOST (127.0.0.1), PORT (8080), THREADGATE_DATA_DIR (./data), THREADGATE_DATABASE,
THREADGATE_RULES (./rules), THREADGATE_LOG_LEVEL, ... (see docs/operations.md).
`;

export async function runServe(args: string[], io: CliIo = processIo()): Promise<number> {
  if (args.some((a) => a === '--help' || a === '-h')) {
    io.stdout.write(HELP);
    return 0;
  }
  const env = { ...io.env, ...(args[0] ? { THREADGATE_RULES: args[0] } : {}) };
  // Imported here, not at the top: the server pulls in fastify and both stores, which --help does not need.
  const { serveForever } = await import('../server.ts');
  return serveForever(env);
}
