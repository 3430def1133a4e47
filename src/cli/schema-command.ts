// `threadgate schema [dir]`: writes the JSON Schemas of thread and widget files for editors.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonSchemas } from '../core/json-schema.ts';

export async function runSchema(args: string[]): Promise<number> {
  const dir = args[0] ?? 'docs/schema';
  await mkdir(dir, { recursive: true });
  for (const [name, schema] of Object.entries(jsonSchemas())) {
    const file = join(dir, `${name}.schema.json`);
    await writeFile(file, `${JSON.stringify(schema, null, 2)}\n`);
    process.stdout.write(`wrote ${file}\n`);
  }
  return 0;
}
