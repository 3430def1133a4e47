// Colours on a terminal only: the same text through a pipe, NO_COLOR honoured, FORCE_COLOR for logs that render ANSI.
import { describe, expect, it } from 'vitest';
import { threadgate } from './helpers.ts';

const ESC = '\x1b[';
const broken = ['validate', 'docs/examples/broken-rules'];

describe('CLI colours', () => {
  it('colour errors red and the summary on a terminal, without changing the text', async () => {
    const tty = await threadgate(broken, { tty: true, env: { NO_COLOR: '' } });
    const pipe = await threadgate(broken);
    expect(tty.code).toBe(1);
    expect(tty.stdout).toContain(`${ESC}31mdocs/examples/broken-rules/threads/returns.yaml:168:5 error goto_step_unknown`);
    expect(tty.stdout).toContain(`${ESC}31mfailed: 5 files`);
    expect(pipe.stdout).not.toContain(ESC);
    expect(tty.stdout.replace(/\x1b\[\d+m/g, '')).toBe(pipe.stdout);
  });

  it('NO_COLOR turns them off on a terminal; FORCE_COLOR turns them on for a pipe', async () => {
    expect((await threadgate(broken, { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain(ESC);
    expect((await threadgate(broken, { env: { FORCE_COLOR: '1', NO_COLOR: '' } })).stdout).toContain(ESC);
  });

  it('colours test results and chat lines too', async () => {
    const t = await threadgate(['test', 'test/conversations/seed000-ideal.yaml'], { tty: true, env: { NO_COLOR: '' } });
    expect(t.stdout).toContain(`${ESC}32mPASS test/conversations/seed000-ideal.yaml`);
    const c = await threadgate(['chat', 'shop-visitor'], { tty: true, input: 'hello\n', env: { NO_COLOR: '' } });
    expect(c.stdout).toContain(`${ESC}1mbot: Welcome to Retalé support!`);
    expect(c.stdout).toContain(`${ESC}33m  (your message: not trusted)`);
  });
});
