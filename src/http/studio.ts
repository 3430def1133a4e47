// Thread Studio: serves the built single-page app (dist/studio) at /studio under its own CSP, and the lint route it reads warnings from.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { IdSchema } from '../core/thread.schema.ts';
import { keyLocator } from '../lint/locate.ts';
import { lintThread } from '../lint/index.ts';
import { ThreadLintSchema } from './schemas/thread-answers.ts';
import { HttpError } from './error-catalogue.ts';
import { acceptRulesSource, compileFor, RULES_SOURCE_BODY_LIMIT, RULES_SOURCE_MEDIA_TYPES, RulesSourceBody, sourceText } from './rules-source-body.ts';

/** Where `vite build` (bin/build-studio.js) writes the studio. */
export const STUDIO_DIR = fileURLToPath(new URL('../../dist/studio/', import.meta.url));
const BUILD_SCRIPT = fileURLToPath(new URL('../../bin/build-studio.js', import.meta.url));

/**
 * The studio's policy: everything from 'self', nothing inline. `img-src data:` is for CodeMirror's lint underlines
 * (SVG data URLs in its stylesheet); `connect-src 'self'` lets the app call the admin API on the same origin.
 */
export const STUDIO_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

interface Asset {
  body: Buffer;
  gzip: Buffer | null;
}

/** Built files never change under a hashed name, so each is read and compressed once per process. */
const assetCache = new Map<string, Asset>();

async function readAsset(file: string): Promise<Asset> {
  const hit = assetCache.get(file);
  if (hit) return hit;
  const body = await readFile(file);
  // Text compresses well; tiny files are not worth the header.
  const gzip = body.length > 1024 && /\.(js|css|html|svg|json)$/.test(file) ? gzipSync(body, { level: 9 }) : null;
  const asset = { body, gzip };
  assetCache.set(file, asset);
  return asset;
}

/** The page's policy: STUDIO_CSP, plus `<style>` elements that carry this response's nonce. */
export const pageCsp = (nonce: string) => STUDIO_CSP.replace("style-src 'self'", `style-src 'self' 'nonce-${nonce}'`);

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, type: string, cache: string, csp = STUDIO_CSP) {
  reply.header('content-security-policy', csp).header('cache-control', cache).header('vary', 'accept-encoding').type(type);
  const accepts = String(request.headers['accept-encoding'] ?? '');
  if (asset.gzip && /\bgzip\b/.test(accepts)) return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Thread Studio is not built</title>
<h1>Thread Studio is not built</h1><p>Run <code>npm run build:studio</code> (npm ci and npm start do it for you), then reload.</p>`;

/** The app's page for every /studio path that is not a built file, so deep links (/studio/threads/x) work. */
async function sendIndex(request: FastifyRequest, reply: FastifyReply) {
  const index = join(STUDIO_DIR, 'index.html');
  if (!existsSync(index)) {
    return reply.code(503).header('content-security-policy', STUDIO_CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT);
  }
  // Read each time (it is small): a rebuild changes the hashed names it points at, and it must never be cached stale.
  // A fresh nonce per page: CodeMirror writes its theme into <style> elements, which carry the nonce the page reads
  // from its meta tag. Scripts stay 'self' only, and no style attribute is allowed (nonces never cover those).
  const nonce = randomBytes(16).toString('base64');
  const body = Buffer.from((await readFile(index, 'utf8')).replaceAll('__TG_CSP_NONCE__', nonce));
  return send(request, reply, { body, gzip: gzipSync(body) }, TYPES['.html']!, 'no-store', pageCsp(nonce));
}

const ThreadParams = z.object({ id: IdSchema }).strict();
const SOURCE_MEDIA_TYPES = ['application/json', ...RULES_SOURCE_MEDIA_TYPES];

/** The lint route lives in its own encapsulated plugin: acceptRulesSource changes the body parsers of the plugin it runs in. */
const lintRoute: FastifyPluginAsync = async (root) => {
  acceptRulesSource(root);
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/v1/threads/:id/lint',
    {
      config: { roles: ['admin'], errors: ['draft_not_found', 'rules_invalid', 'rules_id_mismatch'] },
      bodyLimit: RULES_SOURCE_BODY_LIMIT,
      schema: {
        summary: "Lint a thread file (the body, or else the stored draft): the linter's warnings with line and column, as `threadgate validate` prints them",
        tags: ['threads'],
        params: ThreadParams,
        consumes: SOURCE_MEDIA_TYPES,
        body: RulesSourceBody.nullish(),
        response: { 200: ThreadLintSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const given = request.body ?? null;
      let text: string;
      if (given !== null) text = sourceText(given);
      else {
        const draft = await app.services.store.rules.getThreadDraft(id);
        if (!draft) throw new HttpError('draft_not_found', 'This thread has no draft to lint; send the file in the body, or PUT /v1/threads/:id/draft first.');
        text = draft.source;
      }
      // A file that does not compile answers 422 rules_invalid exactly as validate does; lint needs a compiled thread.
      const thread = compileFor(text, `thread ${id} (draft)`, { kind: 'thread', id });
      return { id, checked: given !== null ? ('body' as const) : ('draft' as const), findings: lintThread(thread, keyLocator(text)) };
    },
  );
};

/** GET /studio and everything under it, plus POST /v1/threads/:id/lint. */
export const studioRoutes: FastifyPluginAsync = async (app) => {
  await app.register(lintRoute);
  const root = resolve(STUDIO_DIR);
  const serve = async (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    const rest = request.params['*'] ?? '';
    // Only plain relative names: no dot segments, no backslashes, no encoded tricks reach the file system.
    if (rest && /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(rest) && !rest.split('/').some((s) => s.startsWith('.'))) {
      const file = resolve(root, rest);
      if (file.startsWith(root + sep)) {
        const info = await stat(file).catch(() => null);
        if (info?.isFile()) {
          const hashed = rest.startsWith('assets/');
          return send(request, reply, await readAsset(file), TYPES[extname(file)] ?? 'application/octet-stream', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
        }
      }
      // A missing asset is a 404, never the page: a stale chunk name must fail visibly, not parse HTML as JS.
      if (rest.startsWith('assets/') || extname(rest) !== '') return reply.callNotFound();
    }
    return sendIndex(request, reply);
  };
  app.get('/studio', { schema: { hide: true } }, serve);
  app.get('/studio/*', { schema: { hide: true } }, serve);
};

/**
 * Builds the studio when dist/studio is missing (a clone where `npm ci` ran with scripts off, or the build failed):
 * runs bin/build-studio.js in a child process so vite never stays loaded in the server. Resolves either way;
 * without the build tools installed (npm ci --omit=dev) it logs what to do, and /studio says so too.
 */
export async function ensureStudioBuilt(log: (line: string) => void): Promise<void> {
  if (existsSync(join(STUDIO_DIR, 'index.html'))) return;
  log('threadgate: Thread Studio is not built yet; building it now (once)');
  const code = await new Promise<number>((done) => {
    const child = spawn(process.execPath, [BUILD_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', () => done(1));
    child.on('exit', (c) => done(c ?? 1));
  });
  log(code === 0 ? `threadgate: Thread Studio built into ${STUDIO_DIR}` : 'threadgate: could not build Thread Studio; /studio answers 503 until `npm run build:studio` succeeds');
}
