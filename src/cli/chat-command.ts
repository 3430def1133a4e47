// `threadgate chat <widget>`: chat with the rules in the terminal, in process; also scriptable through stdin.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { formatIssue, isThreadgateError } from '../core/errors.ts';
import type { ServiceResult } from '../runtime/conversation-service.ts';
import type { CallerTurnEvent } from '../runtime/caller-events.ts';
import { formatTurn } from './chat-format.ts';
import { colourer } from './colors.ts';
import type { ChatSession } from './chat-session.ts';
import { processIo, type CliIo } from './io.ts';

const HELP = `threadgate chat <widget> [--rules <dir>] [--lookups <file>] [--trace]

Chats with the rules in the terminal, in process: the rules folder is loaded into an in-memory SQLite store
and each line runs a turn through the same service as the HTTP API, with the real clock (movable with
/advance). Widget JWT secrets come from the environment, or are generated for the session, so /login signs
real tokens. Works with piped stdin: one line per message or command.

Commands:
  /login <email> [name]        authenticate with a fresh token (5 minutes) signed with the widget's HMAC key
  /identify <email> [name]     identify the customer as the website's setUser would (not trusted)
  /logout                      log out (clear_user)
  /form <name> <email|phone>   submit the pre-chat form
  /skip                        skip the optional form
  /close                       close the conversation
  /advance <seconds>           move the clock forward (tokens expire)
  /expire                      move the clock just past the current token's expiry
  /trace                       toggle showing each turn's trace
  /state                       show the conversation state
  /help                        show the commands
  /quit                        leave
Any other line is a customer message.

Options:
  --rules <dir>     rules folder (default $THREADGATE_RULES or ./rules)
  --lookups <file>  answers for the thread's lookups, by name, as a transcript's setup.lookups
                    (YAML or JSON: orders: { status: ok, data: {...} }); without it every lookup fails
                    with host_not_allowed, since chat never calls out
  --trace           start with the trace shown
  -h, --help        show this help

Exit codes: 0 when the chat ends; 1 the rules do not load; 2 bad usage or unknown widget.
`;

const COMMANDS = HELP.slice(HELP.indexOf('Commands:'), HELP.indexOf('Options:')).trimEnd();

export async function runChat(args: string[], io: CliIo = processIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { rules: { type: 'string' }, lookups: { type: 'string' }, trace: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    io.stderr.write(`threadgate chat: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr.write(`threadgate chat: give one widget id\n\n${HELP}`);
    return 2;
  }
  let stubs = null;
  if (values.lookups !== undefined) {
    const read = await (await import('./chat-lookups.ts')).readLookupStubs(values.lookups);
    if (!read.ok) {
      io.stderr.write(`threadgate chat: ${read.message}\n`);
      return 2;
    }
    stubs = read.stubs;
  }
  // Imported here, not at the top: the session pulls in the runtime and SQLite, which --help does not need.
  const { ChatSession, ChatSetupError } = await import('./chat-session.ts');
  let session: ChatSession;
  try {
    session = await ChatSession.open(positionals[0]!, values.rules ?? io.env.THREADGATE_RULES ?? 'rules', io.env, stubs);
  } catch (err) {
    if (err instanceof ChatSetupError) {
      io.stderr.write(`threadgate chat: ${err.message}\n`);
      return 2;
    }
    if (isThreadgateError(err)) {
      io.stderr.write(`threadgate chat: ${err.issues.map(formatIssue).join('\n')}\n`);
      return err.code === 'io_error' ? 2 : 1;
    }
    throw err;
  }
  try {
    await new Chat(session, Boolean(values.trace), io).run();
  } finally {
    await session.close();
  }
  return 0;
}

class Chat {
  constructor(
    private readonly s: ChatSession,
    private trace: boolean,
    private readonly io: CliIo,
  ) {
    this.colour = colourer(io.stdout, io.env);
  }

  private readonly colour: (text: string) => string;

  private say(lines: string[] | string): void {
    this.io.stdout.write(`${this.colour(([] as string[]).concat(lines).join('\n'))}\n`);
  }

  private show(r: ServiceResult): void {
    if (!r.ok) return this.say(`  x ${r.code}${r.message ? `: ${r.message}` : ''}`);
    this.say(formatTurn(r.body, this.trace));
    const id = r.body.identity;
    this.say(`  [${r.body.status}, step ${r.body.step ?? '-'}, ${id.status}/${id.method}${id.trusted ? ', trusted' : ''}, scenario ${r.body.scenario}]`);
  }

  async run(): Promise<void> {
    const w = this.s.widget;
    this.say(`chat with widget ${w.id} (onboarding ${w.onboarding}, thread ${w.thread}); /help for commands`);
    for (const n of this.s.notes) this.say(`  i ${n}`);
    this.show(await this.s.start({}, this.trace));
    const tty = Boolean(this.io.stdin.isTTY);
    const rl = createInterface({ input: this.io.stdin, output: tty ? this.io.stdout : undefined, terminal: tty });
    rl.setPrompt('you> ');
    if (tty) rl.prompt();
    for await (const raw of rl) {
      const line = raw.trim();
      if (!tty && line) this.say(`you> ${line}`);
      if (line === '/quit' || line === '/exit') break;
      if (line) {
        try {
          await this.handle(line);
        } catch (err) {
          this.say(`  x ${isThreadgateError(err) ? err.issues.map(formatIssue).join('; ') : (err as Error).message}`);
        }
      }
      if (tty) rl.prompt();
    }
    rl.close();
  }

  private async send(event: CallerTurnEvent): Promise<void> {
    this.show(await this.s.send(event, this.trace));
  }

  private async handle(line: string): Promise<void> {
    if (!line.startsWith('/')) return this.send({ type: 'message', text: line });
    const [cmd, ...words] = line.split(/\s+/);
    const person = () => {
      if (!words[0]) throw new Error(`usage: ${cmd} <email> [name]`);
      return { email: words[0], ...(words.length > 1 ? { name: words.slice(1).join(' ') } : {}) };
    };
    switch (cmd) {
      case '/login':
        return this.send({ type: 'authenticate', token: await this.s.signToken(person()) });
      case '/identify':
        return this.send({ type: 'identify', user: person() });
      case '/logout':
        return this.send({ type: 'clear_user' });
      case '/form': {
        if (words.length < 2) throw new Error('usage: /form <name> <email-or-phone>');
        const contact = words.at(-1)!;
        return this.send({ type: 'submit_form', fields: { name: words.slice(0, -1).join(' '), ...(contact.includes('@') ? { email: contact } : { phone: contact }) } });
      }
      case '/skip':
        return this.send({ type: 'skip_form' });
      case '/close':
        return this.send({ type: 'close' });
      case '/advance': {
        const seconds = Number(words[0]);
        if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('usage: /advance <seconds>');
        this.s.offsetMs += seconds * 1000;
        return this.say(`  i clock: ${this.s.now().toISOString()}`);
      }
      case '/expire': {
        const exp = (await this.s.state())?.identity.tokenExpiresAt;
        if (!exp) return this.say('  i no token in this conversation');
        this.s.offsetMs += Math.max(0, exp * 1000 + 1000 - this.s.now().getTime());
        return this.say(`  i clock: ${this.s.now().toISOString()} (token expired at ${new Date(exp * 1000).toISOString()})`);
      }
      case '/trace':
        this.trace = !this.trace;
        return this.say(`  i trace ${this.trace ? 'on' : 'off'}`);
      case '/state': {
        const st = await this.s.state();
        if (!st) return this.say('  i no conversation yet');
        const { status, step, waiting, slots, tags, identity, profile, scenario, onboarding } = st;
        return this.say(`  ${JSON.stringify({ clock: this.s.now().toISOString(), status, step, waiting, slots, tags, identity, profile, scenario, onboarding }, null, 2).replace(/\n/g, '\n  ')}`);
      }
      case '/help':
        return this.say(COMMANDS);
      default:
        return this.say(`  x unknown command ${cmd}; /help lists the commands`);
    }
  }
}
