// `threadgate schema [dir]`: writes the JSON Schemas of thread and widget files for editors.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processIo, type CliIo } from './io.ts';

const HELP = `threadgate schema [dir]

Writes thread.schema.json, widget.schema.json and transcript.schema.json (JSON Schema 2020-12) into dir (default docs/schema).
Point an editor at them, e.g. a first line "# yaml-language-server: $schema=../../docs/schema/thread.schema.json".
`;

export async function runSchema(args: string[], io: CliIo = processIo()): Promise<number> {
  if (args.some((a) => a === '--help' || a === '-h')) {
    io.stdout.write(HELP);
    return 0;
  }
  const unknown = args.find((a) => a.startsWith('-'));
  if (unknown) {
    io.stderr.write(`threadgate schema: unknown option ${unknown}\n\n${HELP}`);
    return 2;
  }
  const dir = args[0] ?? 'docs/schema';
  // Imported here, not at the top: building the schemas loads every zod schema, which --help does not need.
  const { jsonSchemas } = await import('../json-schemas.ts');
  await mkdir(dir, { recursive: true });
  for (const [name, schema] of Object.entries(jsonSchemas())) {
    const file = join(dir, `${name}.schema.json`);
    await writeFile(file, `${JSON.stringify(schema, null, 2)}\n`);
    io.stdout.write(`wrote ${file}\n`);
  }
  return 0;
}
