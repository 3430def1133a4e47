// `threadgate graph` draws the example thread with its steps, labelled branches, onFail and handler edges.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { threadgate, type Run } from './helpers.ts';

describe('threadgate graph', () => {
  let r: Run;
  beforeAll(async () => {
    r = await threadgate(['graph', 'returns']);
  });

  it('prints a Mermaid flowchart with a node per step', () => {
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^%% thread returns: Returns and order status\nflowchart TD\n/);
    expect(r.stdout).toContain('  s_ask_topic[/"ask_topic<br/>ask request (text)"/]');
    expect(r.stdout).toContain('  s_goodbye(["goodbye<br/>say: Thanks for chatting with us. Have a gre…<br/>end resolved"])');
    expect(r.stdout).toContain('  start --> s_greet');
  });

  it('labels branches with their condition, named conditions by name, defaults as else', () => {
    expect(r.stdout).toContain('  s_greet -->|"authenticated customer: trusted"| s_greet_trusted');
    expect(r.stdout).toContain('  s_menu -->|"visitor on a widget with a form: onboarding.type = optional_form and onboarding.completed = false"| s_need_login_or_form');
    expect(r.stdout).toContain('  s_return_confirm -->|"slots.confirm_return = true"| s_return_started');
    expect(r.stdout).toContain('  s_return_confirm -->|"else"| s_anything_else');
    expect(r.stdout).toContain('  s_greet_visitor --> s_ask_topic');
  });

  it('draws onFail and on handlers as dashed edges from handler nodes', () => {
    expect(r.stdout).toContain('  s_order_number -.->|"onFail: 3 invalid answers"| s_agent');
    expect(r.stdout).toContain('  h_authenticated{{"on authenticated"}}');
    expect(r.stdout).toContain('  h_authenticated -.->|"was asking about an order: wants_order"| s_signed_in_order');
    expect(r.stdout).toContain('  h_cleared -.-> s_signed_out');
  });

  it('accepts a widget id or a file, and writes SVG to --out', async () => {
    expect((await threadgate(['graph', 'shop-visitor'])).stdout).toBe(r.stdout);
    expect((await threadgate(['graph', 'rules/threads/returns.yaml'])).stdout).toBe(r.stdout);
    const out = join(tmpdir(), `threadgate-graph-${process.pid}.svg`);
    try {
      expect((await threadgate(['graph', 'returns', '--format', 'svg', '--out', out])).code).toBe(0);
      const svg = readFileSync(out, 'utf8');
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg).toContain('data-id="order_number"');
      expect(svg).toContain('>onFail: 3 invalid answers</text>');
    } finally {
      rmSync(out, { force: true });
    }
  });

  it('unknown ids and formats exit 2', async () => {
    const bad = await threadgate(['graph', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no thread or widget "nope" in rules (threads: returns; widgets: shop-form');
    expect((await threadgate(['graph', 'returns', '--format', 'png'])).code).toBe(2);
    expect((await threadgate(['graph'])).code).toBe(2);
  });
});
