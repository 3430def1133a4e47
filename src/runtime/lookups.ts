// Carries out the lookups threads ask for: allow-listed hosts only, no private addresses, bounded in time and size.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { checkResponse, type ResponseSchema } from '../core/lookup-schema.ts';
import type { LookupRequest } from '../core/outputs.ts';

/** The request as the core renders it in a `lookup` output. */
export type { LookupRequest };

export type LookupErrorCode = 'timeout' | 'http_status' | 'too_large' | 'invalid_response' | 'host_not_allowed' | 'network';
export type LookupOutcome = { status: 'ok'; data: unknown } | { status: 'error'; error: LookupErrorCode };

export interface LookupOptions {
  /** Hostnames lookups may call: exact (`orders.example.com`) or a subdomain wildcard (`*.example.com`). */
  allowHosts: string[];
  /** Allows loopback, private and link-local addresses, and plain http: for tests against a local server only. */
  allowPrivate: boolean;
  /**
   * A fetch to use instead of node:http (embedding, tests). Addresses are checked before it is called but not
   * pinned, so a DNS answer that changes in between is not caught: the default transport checks the very address it connects to.
   */
  fetch?: typeof fetch;
  /** First retry delay; each further retry waits twice as long. */
  backoffMs?: number;
  /** How a wait between attempts is done (default setTimeout); tests record the waits instead of timing them. */
  sleep?: (ms: number) => Promise<void>;
}

/** What an operator configures (THREADGATE_LOOKUP_ALLOW_HOSTS, THREADGATE_LOOKUP_ALLOW_PRIVATE). */
export type LookupSettings = Pick<LookupOptions, 'allowHosts' | 'allowPrivate'>;

/** Addresses that reach the host itself or a private network; IPv4-mapped IPv6 addresses are checked as IPv4 by BlockList. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) PRIVATE.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return true; // not an address at all: refuse rather than guess
  return PRIVATE.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

const bare = (host: string) => host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
/** IPv6 entries in the URL's own spelling (`::ffff:127.0.0.1` is `::ffff:7f00:1` in a URL), so they compare equal. */
const canonical = (host: string) => (isIP(bare(host)) === 6 ? bare(new URL(`http://[${bare(host)}]`).hostname) : bare(host));

export function hostAllowed(host: string, allowHosts: string[]): boolean {
  const h = canonical(host);
  return allowHosts.some((entry) => {
    const e = canonical(entry.trim());
    return e.startsWith('*.') ? h.endsWith(e.slice(1)) && h.length > e.length - 1 : e === h;
  });
}

/** Raised from inside the connection's own DNS lookup, so the address checked is the address connected to. */
class AddressRefused extends Error {}
class AttemptError extends Error {
  constructor(
    readonly code: LookupErrorCode,
    readonly retry: boolean,
  ) {
    super(code);
  }
}

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      // Every address is checked, not just the first: the connection may fall back to any of them.
      if (!allowPrivate && addresses.some((a) => isPrivateAddress(a.address))) return callback(new AddressRefused(hostname), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

function resolveAll(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(hostname, { all: true }, (err, a) => (err ? reject(err) : resolve(a))));
}

interface Opened {
  status: number;
  contentLength: number | null;
  body: AsyncIterable<Uint8Array>;
  close: () => void;
}

const HEADERS = { accept: 'application/json', 'user-agent': 'threadgate-lookup' };

function openHttp(url: URL, req: LookupRequest, allowPrivate: boolean, signal: AbortSignal): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const body = req.body ? JSON.stringify(req.body) : null;
    const mod = url.protocol === 'https:' ? https : http;
    // agent: false gives every attempt its own connection, so the guarded lookup runs for each and nothing is pooled.
    const r = mod.request(url, { method: req.method, agent: false, signal, lookup: guardedLookup(allowPrivate), headers: { ...HEADERS, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      const len = res.headers['content-length'];
      resolve({ status: res.statusCode ?? 0, contentLength: len ? Number(len) : null, body: res, close: () => r.destroy() });
    });
    r.on('error', reject);
    r.end(body ?? undefined);
  });
}

async function* chunksOf(stream: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (!stream) return;
  const reader = stream.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
  } finally {
    reader.releaseLock();
  }
}

async function openFetch(f: typeof fetch, url: URL, req: LookupRequest, allowPrivate: boolean, signal: AbortSignal): Promise<Opened> {
  if (!allowPrivate && (await resolveAll(bare(url.hostname))).some((a) => isPrivateAddress(a.address))) throw new AddressRefused(url.hostname);
  const body = req.body ? JSON.stringify(req.body) : null;
  // Redirects are not followed: the target would escape the allow list.
  const res = await f(url, { method: req.method, redirect: 'manual', signal, headers: { ...HEADERS, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body } : {}) });
  const len = res.headers.get('content-length');
  return { status: res.status, contentLength: len ? Number(len) : null, body: chunksOf(res.body), close: () => void res.body?.cancel().catch(() => {}) };
}

async function attempt(url: URL, req: LookupRequest, opts: LookupOptions): Promise<unknown> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), req.timeoutMs);
  let opened: Opened | undefined;
  let text: string;
  try {
    opened = await (opts.fetch ? openFetch(opts.fetch, url, req, opts.allowPrivate, ac.signal) : openHttp(url, req, opts.allowPrivate, ac.signal));
    if (opened.status >= 500) throw new AttemptError('http_status', true);
    if (opened.status < 200 || opened.status >= 300) throw new AttemptError('http_status', false);
    if (opened.contentLength !== null && opened.contentLength > req.maxBytes) throw new AttemptError('too_large', false);
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of opened.body) {
      size += chunk.byteLength;
      // Counted while streaming: a server that lies about (or omits) its length cannot fill memory.
      if (size > req.maxBytes) throw new AttemptError('too_large', false);
      chunks.push(chunk);
    }
    text = Buffer.concat(chunks).toString('utf8');
  } catch (e) {
    if (e instanceof AttemptError) throw e;
    if (e instanceof AddressRefused || (e as { cause?: unknown }).cause instanceof AddressRefused) throw new AttemptError('host_not_allowed', false);
    if (ac.signal.aborted) throw new AttemptError('timeout', true);
    throw new AttemptError('network', true);
  } finally {
    clearTimeout(timer);
    opened?.close();
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new AttemptError('invalid_response', false);
  }
  return data;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Performs one lookup. Never throws: every failure is an outcome the thread branches on. Retries (with
 * exponential backoff) only what may pass on a second try: network errors, timeouts and 5xx answers.
 */
export async function executeLookup(request: LookupRequest, response: ResponseSchema | null, opts: LookupOptions): Promise<LookupOutcome> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { status: 'error', error: 'host_not_allowed' };
  }
  // Plain http only reaches a local test server; anything real goes over https.
  const schemeOk = url.protocol === 'https:' || (url.protocol === 'http:' && opts.allowPrivate);
  if (!schemeOk || url.username || url.password || !hostAllowed(url.hostname, opts.allowHosts)) return { status: 'error', error: 'host_not_allowed' };
  // An address literal never goes through DNS, so the guarded lookup would not see it.
  if (isIP(bare(url.hostname)) && !opts.allowPrivate && isPrivateAddress(bare(url.hostname))) return { status: 'error', error: 'host_not_allowed' };
  const backoff = opts.backoffMs ?? 200;
  for (let n = 0; ; n++) {
    try {
      const data = await attempt(url, request, opts);
      const mismatch = response ? checkResponse(response, data) : null;
      return mismatch ? { status: 'error', error: 'invalid_response' } : { status: 'ok', data };
    } catch (e) {
      const err = e instanceof AttemptError ? e : new AttemptError('network', true);
      if (!err.retry || n >= request.retries) return { status: 'error', error: err.code };
      await (opts.sleep ?? sleep)(backoff * 2 ** n);
    }
  }
}
