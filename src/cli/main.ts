// The threadgate CLI: dispatches sub-commands; validate, test, graph and chat come with the CLI issue.
import { runSchema } from './schema-command.ts';
import { runServe } from './serve-command.ts';
import { runTest } from './test-command.ts';
import { runToken } from './token-command.ts';
import { runValidate } from './validate-command.ts';
import { runGraph } from './graph-command.ts';
import { runChat } from './chat-command.ts';

const HELP = `threadgate <command>

Commands:
  serve            run the HTTP service on the embedded SQLite store (what npm start runs)
  token            mint a development User Identity JWT with a widget's HMAC key
  schema [dir]     write the JSON Schemas of thread and widget files (default docs/schema)
  test [dir]       replay conversation transcripts (default test/conversations)
  validate [dir]   check rules files: schema, references and lint (default rules)
  graph <thread>   print a Mermaid flowchart of a thread
  chat <widget>    chat with the rules in the terminal (in process, in-memory store)
  help             show this help
`;

/** Runs a command and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return runServe(rest);
    case 'schema':
      return runSchema(rest);
    case 'token':
      return runToken(rest);
    case 'test':
      return runTest(rest);
    case 'validate':
      return runValidate(rest);
    case 'graph':
      return runGraph(rest);
    case 'chat':
      return runChat(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    default:
      process.stderr.write(`threadgate: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}
