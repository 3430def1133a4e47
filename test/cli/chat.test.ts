// `threadgate chat` driven through a non-terminal stdin, in process: trust flags, login, expiry, logout, forms and code widgets.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { threadgate } from './helpers.ts';

const chat = (widget: string, lines: string[]) => threadgate(['chat', widget], { input: `${lines.join('\n')}\n` });

/** The lines printed for the turn that followed `you> <line>`. */
function turnAfter(stdout: string, line: string): string {
  const start = stdout.indexOf(`you> ${line}\n`);
  if (start < 0) throw new Error(`no turn for ${line}`);
  const rest = stdout.slice(start + line.length + 6);
  const end = rest.indexOf('you> ');
  return end < 0 ? rest : rest.slice(0, end);
}

describe('threadgate chat', () => {
  it('a visitor is not trusted; after /login the next message is, and the order flow runs', async () => {
    const r = await chat('shop-visitor', ['order status', '/login julie@example.com Julie Doe', 'R-10234', '/quit']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  ? ask request (text)');
    expect(turnAfter(r.stdout, 'order status')).toContain('  (your message: not trusted)\n  ! action set {"topic":"order_status"}\nbot: To see order details I need to know it\'s you.');
    expect(turnAfter(r.stdout, 'order status')).toContain('  ! action request_login: Sign in to continue -> https://shop.example.com/login?next=/help');
    expect(turnAfter(r.stdout, '/login julie@example.com Julie Doe')).toContain('bot: Thanks Julie! Now I can look at your orders.');
    // The chat has no order API: the lookup goes out with the verified email, and fails as host_not_allowed.
    expect(turnAfter(r.stdout, 'R-10234')).toContain('  (your message: trusted)\n  ~ lookup orders: GET https://orders.example.com/v1/orders/R-10234?email=julie%40example.com');
  });

  it('/advance past the token lifetime makes messages untrusted; /logout signs out', async () => {
    const r = await chat('shop-visitor', ['/login julie@example.com', '/advance 600', 'R-1', '/logout', '/state']);
    expect(r.stdout).toContain('  i clock: ');
    expect(turnAfter(r.stdout, 'R-1')).toContain('(your message: not trusted)');
    expect(turnAfter(r.stdout, '/logout')).toContain('bot: You\'ve signed out.');
    expect(turnAfter(r.stdout, '/state')).toContain('"status": "anonymous"');
  });

  it('/trace shows the steps and branches of each turn', async () => {
    const r = await chat('shop-visitor', ['/trace', 'something else']);
    const turn = turnAfter(r.stdout, 'something else');
    expect(turn).toContain('  trace: message, turn 2, identity anonymous/none -> anonymous/none');
    expect(turn).toContain('    step menu via goto from ask_topic; #0 not about an order yes;');
    expect(turn).toContain('  ! action handoff to general');
  });

  it('a code widget waits for /identify to start; the optional form works through /form', async () => {
    const code = await chat('shop-portal', ['hello', '/identify ann@example.com Ann']);
    expect(code.stdout).toContain('  x identity_required:');
    expect(turnAfter(code.stdout, '/identify ann@example.com Ann')).toContain('bot: Hi Ann! I can help with returns and orders.');
    const form = await chat('shop-optional', ['status', '/form Ann Lee ann@example.com']);
    expect(turnAfter(form.stdout, 'status')).toContain('  ! action request_form: Or tell us who you are [fields name, email, phone]');
    expect(turnAfter(form.stdout, '/form Ann Lee ann@example.com')).toContain('  ! action handoff to returns');
  });

  it('--lookups answers the thread\'s lookups; without it they fail as host_not_allowed; a bad file is a usage error', async () => {
    const lines = ['/login julie@example.com Julie', 'Where is my order?', 'R-10234'];
    const stubbed = await threadgate(['chat', 'shop-visitor', '--lookups', 'docs/examples/lookups.yaml'], { input: `${lines.join('\n')}\n` });
    expect(stubbed.code).toBe(0);
    expect(stubbed.stdout).toContain("I've found order R-10234 on the account of julie@example.com.");
    const plain = await chat('shop-visitor', lines);
    expect(plain.stdout).toContain("I couldn't look up order R-10234 just now");
    const dir = await mkdtemp(join(tmpdir(), 'tg-chat-lookups-'));
    await writeFile(join(dir, 'bad.yaml'), 'orders: { status: maybe }\n');
    const bad = await threadgate(['chat', 'shop-visitor', '--lookups', join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml: orders\.status: .*expected lookup names/);
    const missing = await threadgate(['chat', 'shop-visitor', '--lookups', join(dir, 'none.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the lookups file .*none\.yaml \(ENOENT\)/);
  });

  it('unknown widgets exit 2; /help lists the commands', async () => {
    const bad = await threadgate(['chat', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no widget "nope" in rules');
    expect(turnAfter((await chat('shop-visitor', ['/help'])).stdout, '/help')).toContain('/login <email> [name]');
  });
});
