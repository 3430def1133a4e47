#!/usr/bin/env node
// The threadgate command: answers help, --version and unknown commands in plain JavaScript, else loads the
// TypeScript sources through tsx and runs the CLI.
import { answerWithoutCommand } from '../src/cli/usage.js';

const argv = process.argv.slice(2);
// Registering tsx and compiling the CLI costs a few hundred milliseconds: not worth it to print the help.
const answered = answerWithoutCommand(argv, process);
if (answered !== undefined) process.exitCode = answered;
else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(argv);
}
