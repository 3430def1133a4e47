// The runner passes good transcripts and reports broken copies with the turn, path, expected/actual, trace and line.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTranscript } from '../../src/replay/load-transcript.ts';
import { formatResult } from '../../src/replay/report.ts';
import { runTranscript, runTranscriptFile } from '../../src/replay/run-transcript.ts';

const CONV = 'test/conversations';

/** A copy of a transcript with one edit, written to a temp folder so the report names a real file. */
async function brokenCopy(name: string, from: string | RegExp, to: string): Promise<string> {
  const text = await readFile(join(CONV, name), 'utf8');
  const edited = text.replace(from, to);
  expect(edited).not.toBe(text);
  const file = join(await mkdtemp(join(tmpdir(), 'tg-transcript-')), name);
  await writeFile(file, edited);
  return file;
}

const lineOf = async (file: string, needle: string) => (await readFile(file, 'utf8')).split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('runTranscript', () => {
  it('passes a good transcript and reports every turn', async () => {
    const r = await runTranscriptFile(join(CONV, 'seed000-most-ideal.yaml'));
    expect(r.issues).toEqual([]);
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.turns.map((t) => t.label)).toEqual(['start', 'message "order status"', 'message "R-10234"']);
  });

  it('reports a wrong bot text with turn, path, expected vs actual, line and trace', async () => {
    const file = await brokenCopy('seed000-most-ideal.yaml', 'bot: [Which order number is it about?]', 'bot: [Which order is it?]');
    const r = await runTranscriptFile(file);
    expect(r.ok).toBe(false);
    expect(r.failures).toHaveLength(1);
    const f = r.failures[0]!;
    expect(f).toMatchObject({ turn: 1, path: 'expect.bot', expected: ['Which order is it?'], actual: ['Which order number is it about?'] });
    expect(f.line).toBe(await lineOf(file, 'customer: { message: order status }'));
    expect(f.trace?.steps.map((s) => s.step)).toEqual(['ask_topic', 'menu', 'order_number']);
    const report = formatResult(r);
    expect(report).toContain(`${file}:${f.line} turn 1 (message "order status") expect.bot`);
    expect(report).toContain('expected: ["Which order is it?"]');
    expect(report).toContain('*trusted customer=true');
  });

  it('reports a wrong trusted flag', async () => {
    const file = await brokenCopy('token-expiry-mid-chat.yaml', 'trusted: false\n', 'trusted: true\n');
    const r = await runTranscriptFile(file);
    expect(r.failures).toEqual([expect.objectContaining({ turn: 5, label: 'message "yes"', path: 'expect.trusted', expected: true, actual: false })]);
  });

  it('reports an unexpected refusal of the start', async () => {
    const file = await brokenCopy('seed002-code-refused.yaml', /start:\n {2}expect: \{ error: identity_required \}\n/, 'start:\n  expect: { status: active }\n');
    const r = await runTranscriptFile(file);
    expect(r.failures).toEqual([expect.objectContaining({ turn: 0, path: 'expect.error', expected: 'no error', actual: expect.stringMatching(/^identity_required: /) })]);
  });

  it('refuses an unknown key with its line', async () => {
    const file = await brokenCopy('seed000-most-ideal.yaml', '      trusted: true\n      branch: menu.trusted customer', '      trusted: true\n      bracnh: menu.trusted customer');
    const r = await runTranscriptFile(file);
    expect(r.turns).toEqual([]);
    expect(r.issues).toEqual([expect.objectContaining({ code: 'schema_invalid', message: 'unknown field: bracnh', file, field: 'turns.0.expect.bracnh', line: await lineOf(file, 'bracnh') })]);
    expect(formatResult(r)).toContain(`${file}:`);
  });

  it('refuses bad YAML with the line of the error', async () => {
    const file = await brokenCopy('seed000-ideal.yaml', '  - advance: 30s\n', '  - advance: [30s\n');
    const r = await runTranscriptFile(file);
    expect(r.ok).toBe(false);
    expect(r.issues[0]).toMatchObject({ code: 'yaml_invalid', file });
    expect(r.issues[0]!.line).toBeGreaterThanOrEqual(await lineOf(file, 'advance: [30s'));
  });

  it('refuses a customer turn with two events, and a companion key on the wrong event', () => {
    const r = parseTranscript('name: x\nsetup: { widget: shop-visitor }\nturns:\n  - customer: { message: hi, close: true }\n  - customer: { close: true, comment: bye }\n', 'x.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.line, i.message])).toEqual([
      [4, 'a customer event needs exactly one of message, identify, authenticate, clear_user, submit_form, skip_form, close, routed, request_transcript, rate (got message, close)'],
      [5, 'comment goes only with rate'],
    ]);
  });

  it('reports a missing file and an unknown widget as issues, not exceptions', async () => {
    expect((await runTranscriptFile('test/conversations/nope.yaml')).issues).toEqual([expect.objectContaining({ code: 'io_error', message: 'cannot read the transcript: file not found' })]);
    const parsed = parseTranscript('name: x\nsetup: { widget: shop-nowhere }\n', 'x.yaml');
    if (!parsed.ok) throw new Error('should parse');
    const r = await runTranscript(parsed.loaded);
    expect(r.issues).toEqual([expect.objectContaining({ message: expect.stringContaining('no widget "shop-nowhere"') })]);
  });

  it('starts anywhere: start.at a step with start.slots filled, and names a step that does not exist', async () => {
    const r = await runTranscriptFile(join(CONV, 'start-at-order-number.yaml'));
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
    const wrong = parseTranscript('name: x\nsetup: { widget: shop-visitor }\nstart: { at: nowhere }\n', 'x.yaml');
    if (!wrong.ok) throw new Error('should parse');
    const w = await runTranscript(wrong.loaded);
    expect(w.ok).toBe(false);
    expect(w.issues).toEqual([expect.objectContaining({ message: expect.stringContaining('has no step "nowhere"') })]);
  });
});
