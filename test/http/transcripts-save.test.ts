// PUT /v1/transcripts/:name: saved whole into the transcripts folder, refused when invalid, taken or misnamed, never a 500 when the folder breaks.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTranscriptFile } from '../../src/replay/run-transcript.ts';
import { auth, buildTestApp, type TestApp } from './helpers.ts';

const GOOD = `name: saved from the studio
setup: { widget: shop-visitor }
start:
  expect: { scenario: visitor }
turns:
  - customer: { message: hello }
    expect: { trusted: false }
`;
const yaml = { ...auth('admin'), 'content-type': 'application/yaml' };

let dir: string;
let t: TestApp;
let none: TestApp;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tg-transcripts-'));
  t = await buildTestApp({ transcriptsDir: dir });
  none = await buildTestApp({ transcriptsDir: null });
});
afterAll(async () => {
  await t.close();
  await none.close();
  await rm(dir, { recursive: true, force: true });
});

const save = (name: string, payload: string | object, headers: Record<string, string> = yaml, app = t) => app.app.inject({ method: 'PUT', url: `/v1/transcripts/${name}`, headers, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

describe('PUT /v1/transcripts/:name', () => {
  it('saves the file as sent, which `threadgate test` then replays', async () => {
    const r = await save('studio-visitor', GOOD);
    expect(r.statusCode).toBe(201);
    expect(r.json()).toEqual({ name: 'studio-visitor', file: 'studio-visitor.yaml', replaced: false });
    expect(await readFile(join(dir, 'studio-visitor.yaml'), 'utf8')).toBe(GOOD);
    // Nothing but the file: the temporary name is gone.
    expect(await readdir(dir)).toEqual(['studio-visitor.yaml']);
    const replayed = await runTranscriptFile(join(dir, 'studio-visitor.yaml'));
    expect(replayed.ok).toBe(true);
  });

  it('refuses a name that is taken, unless asked to replace it', async () => {
    const again = await save('studio-visitor', GOOD.replace('saved from the studio', 'second'));
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('transcript_exists');
    expect(await readFile(join(dir, 'studio-visitor.yaml'), 'utf8')).toBe(GOOD);
    const replaced = await t.app.inject({ method: 'PUT', url: '/v1/transcripts/studio-visitor?replace=true', headers: { ...auth('admin'), 'content-type': 'application/json' }, payload: { source: GOOD.replace('saved from the studio', 'second') } });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().replaced).toBe(true);
    expect(await readFile(join(dir, 'studio-visitor.yaml'), 'utf8')).toMatch(/^name: second/);
  });

  it('refuses what is not a transcript with its issues, and writes nothing', async () => {
    const r = await save('broken', 'name: x\nsetup: { widget: shop-visitor }\nturns:\n  - customer: { mesage: hi }\n');
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe('transcript_invalid');
    expect(r.json().issues[0]).toMatchObject({ line: 4 });
    expect((await readdir(dir)).sort()).toEqual(['studio-visitor.yaml']);
  });

  it('refuses names that could leave the folder, other roles and servers without a folder', async () => {
    for (const name of ['..%2Fescape', '.hidden', 'a.b', 'x'.repeat(81)]) {
      const r = await save(name, GOOD);
      expect([400, 404]).toContain(r.statusCode);
    }
    expect((await save('ok-name', GOOD, { ...auth('runtime'), 'content-type': 'application/yaml' })).statusCode).toBe(403);
    expect((await save('ok-name', GOOD, { 'content-type': 'application/yaml' })).statusCode).toBe(401);
    const r = await save('ok-name', GOOD, yaml, none);
    expect(r.statusCode).toBe(404);
    expect(r.json().code).toBe('transcripts_not_configured');
    expect((await readdir(dir)).sort()).toEqual(['studio-visitor.yaml']);
  });

  it('answers 503 transcripts_unwritable when the folder is gone, not a 500', async () => {
    const gone = await mkdtemp(join(tmpdir(), 'tg-transcripts-gone-'));
    const app = await buildTestApp({ transcriptsDir: gone });
    await rm(gone, { recursive: true });
    const r = await save('late', GOOD, yaml, app);
    await app.close();
    expect(r.statusCode).toBe(503);
    expect(r.json().code).toBe('transcripts_unwritable');
  });
});
