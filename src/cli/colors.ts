// Colours for the CLI's reports on a terminal: a pure pass over finished lines, off for pipes, files and NO_COLOR.
import type { CliOutput } from './io.ts';

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
type Colour = keyof typeof CODES;
const paint = (c: Colour, s: string) => `\x1b[${CODES[c]}m${s}\x1b[0m`;

/** Which line gets which colour, by how it starts or what it says: the text stays the same, so scripts reading a pipe see no difference. */
const RULES: [RegExp, Colour][] = [
  [/^PASS /, 'green'],
  [/^FAIL /, 'red'],
  [/^ok: /, 'green'],
  [/^failed: /, 'red'],
  [/^\S+:\d+:\d+ error /, 'red'],
  [/^\S+:\d+:\d+ warning /, 'yellow'],
  [/^ {4}(expected|actual): /, 'yellow'],
  [/^bot: /, 'bold'],
  [/^ {2}\(your message: trusted\)/, 'green'],
  [/^ {2}\(your message: not trusted\)/, 'yellow'],
  [/^ {2}x /, 'red'],
  [/^ {2}\[/, 'dim'],
  [/^ {2,4}(trace|step|handler|note)\b/, 'dim'],
];

/**
 * Colours only for a terminal, as NO_COLOR (https://no-color.org: any non-empty value) asks; FORCE_COLOR=1 turns
 * them on for a pipe, e.g. a CI log that renders ANSI.
 */
export function wantsColour(out: CliOutput, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return Boolean(out.isTTY) && env.TERM !== 'dumb';
}

/** Colours each line of `text` by RULES; the identity when colours are off. */
export function colourer(out: CliOutput, env: Record<string, string | undefined>): (text: string) => string {
  if (!wantsColour(out, env)) return (text) => text;
  return (text) =>
    text
      .split('\n')
      .map((line) => {
        const rule = RULES.find(([re]) => re.test(line));
        return rule ? paint(rule[1], line) : line;
      })
      .join('\n');
}
