// The threadgate CLI: answers help and --version itself, and imports a sub-command's module only when it runs.
import { answerWithoutCommand, type CommandName } from './usage.js';
import { processIo, type CliIo, type Command } from './io.ts';

/**
 * Each command's module, imported on demand: loading all of them pulls in the runtime, the stores, fastify and
 * the linter, which cost most of a second per start that `threadgate validate` or `--help` do not need.
 */
const COMMANDS: Record<CommandName, () => Promise<Command>> = {
  serve: async () => (await import('./serve-command.ts')).runServe,
  schema: async () => (await import('./schema-command.ts')).runSchema,
  token: async () => (await import('./token-command.ts')).runToken,
  test: async () => (await import('./test-command.ts')).runTest,
  validate: async () => (await import('./validate-command.ts')).runValidate,
  graph: async () => (await import('./graph-command.ts')).runGraph,
  chat: async () => (await import('./chat-command.ts')).runChat,
};

/** Runs a command and returns the process exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const answered = answerWithoutCommand(argv, io);
  if (answered !== undefined) return answered;
  const [command, ...rest] = argv as [CommandName, ...string[]];
  const run = await COMMANDS[command]();
  return run(rest, io);
}
