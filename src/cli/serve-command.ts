// `threadgate serve`: runs the HTTP service on the embedded SQLite store with the rules folder loaded.
import { serveForever } from '../server.ts';

const HELP = `threadgate serve [rules-dir]

Runs the HTTP service (what \`npm start\` runs). Settings come from the environment (and THREADGATE_CONFIG,
a JSON or YAML file): HOST (127.0.0.1), PORT (8080), THREADGATE_DATA_DIR (./data), THREADGATE_DATABASE,
THREADGATE_RULES (./rules), THREADGATE_LOG_LEVEL, ... (see docs/operations.md).
`;

export async function runServe(args: string[]): Promise<number> {
  if (args.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const env = { ...process.env, ...(args[0] ? { THREADGATE_RULES: args[0] } : {}) };
  return serveForever(env);
}
