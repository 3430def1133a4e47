// The README's code example runs as written (against the source instead of the package name).
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

it('the trusted-conversation example in README.md works', async () => {
  const readme = await readFile('README.md', 'utf8');
  const block = /## A trusted conversation in a few lines\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const src = pathToFileURL(resolve('src/index.ts')).href;
  const code = `${block!.replace("from 'threadgate'", `from '${src}'`)}\nexport const result = { outputs, state };\n`;
  const file = join(await mkdtemp(join(tmpdir(), 'tg-readme-')), 'example.ts');
  await writeFile(file, code);
  process.env.SHOP_JWT_SECRET = 'readme-test:Zq8vN2xR7mL4pT9wK3sD6fH1jB5cY0gA';
  const cwd = process.cwd();
  const { result } = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { result: { outputs: { type: string }[]; state: { scenario: string; identity: { status: string } } } };
  expect(process.cwd()).toBe(cwd);
  expect(result.state.identity.status).toBe('authenticated');
  expect(result.state.scenario).toBe('most_ideal');
  // The menu keeps the topic (a set action), then asks for the order number.
  expect(result.outputs.map((o) => o.type)).toEqual(['action', 'message', 'ask']);
});
