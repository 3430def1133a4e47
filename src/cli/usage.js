// The CLI's top-level help, its command names and --version, in plain JavaScript: the bin answers these without loading tsx.
import { readFileSync } from 'node:fs';

/** The sub-commands main.ts loads on demand; anything else is an unknown command. */
export const COMMANDS = ['serve', 'token', 'schema', 'test', 'validate', 'graph', 'chat'];

export const HELP = `threadgate <command>

Commands:
  serve            run the HTTP service (embedded SQLite, or PostgreSQL with DATABASE_URL; what npm start runs)
  token            mint a development User Identity JWT with a widget's HMAC key
  schema [dir]     write the JSON Schemas of thread and widget files (default docs/schema)
  test [dir]       replay conversation transcripts (default test/conversations); --coverage for branch coverage
  validate [dir]   check rules files: schema, references and lint (default rules)
  graph <thread>   print a Mermaid flowchart of a thread
  chat <widget>    chat with the rules in the terminal (in process, in-memory store)
  help             show this help
`;

/** The package's version, read when asked for so a plain command start does not pay for it. */
export function version() {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
}

/**
 * Answers help, --version and unknown commands, which need no command module.
 * Returns the exit code, or undefined when argv names a command that must be loaded and run.
 */
export function answerWithoutCommand(argv, io) {
  const command = argv[0];
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(HELP);
    return 0;
  }
  if (command === '--version') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  if (COMMANDS.includes(command)) return undefined;
  io.stderr.write(`threadgate: unknown command "${command}"\n\n${HELP}`);
  return 2;
}
