// Token benchmark: createTokenVerifier against jose's bare jwtVerify with the same key, per algorithm.
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import { createTokenVerifier, resolveJwtSettings } from '../src/auth/index.ts';
import { median, progress, round, table, type Section } from './lib.ts';

const SECRET = 'bench-secret:Zq8vN2xR7mL4pT9wK3sD6fH1jB5cY0gA';
const ISSUER = 'https://shop.example.com';
const AUDIENCE = 'threadgate';
const NOW = new Date('2026-11-23T10:00:00Z');

async function setup(alg: 'HS256' | 'RS256' | 'ES256') {
  const iat = Math.floor(NOW.getTime() / 1000) - 10;
  const claims = { email: 'julie@example.com', name: 'Julie Doe', iat, exp: iat + 600 };
  let signKey: CryptoKey | Uint8Array;
  let keySettings: Record<string, unknown>;
  if (alg === 'HS256') {
    signKey = new TextEncoder().encode(SECRET);
    keySettings = { kid: 'k1', alg, secret: SECRET };
  } else {
    const pair = await generateKeyPair(alg);
    signKey = pair.privateKey;
    keySettings = { kid: 'k1', alg, jwk: await exportJWK(pair.publicKey) };
  }
  const token = await new SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).setIssuer(ISSUER).setAudience(AUDIENCE).sign(signKey);
  const resolved = await resolveJwtSettings({ keys: [keySettings], issuer: ISSUER, audience: AUDIENCE } as never, {});
  const verifier = createTokenVerifier(resolved);
  const key = resolved.keysByKid.get('k1')!.key;
  // The baseline gets the same imported key and the same checks jose itself performs.
  const bare = () => jwtVerify(token, key, { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE, currentDate: NOW, maxTokenAge: 3600, requiredClaims: ['exp', 'iat'] });
  const ours = async () => {
    const r = await verifier.verify(token, NOW);
    if (!r.ok) throw new Error(`token refused: ${r.reason}`);
  };
  return { ours, bare };
}

export interface TokenRow {
  alg: string;
  oursPerSecond: number;
  barePerSecond: number;
  ratio: number;
}

/** Alternates rounds of the verifier and of bare jwtVerify; per-second figures are medians over rounds. */
export async function runToken(opts: { rounds?: number; iterations?: Record<string, number> } = {}): Promise<TokenRow[]> {
  const rounds = opts.rounds ?? 7;
  const iters = { HS256: 4000, RS256: 1500, ES256: 1000, ...opts.iterations };
  const rows: TokenRow[] = [];
  for (const alg of ['HS256', 'RS256', 'ES256'] as const) {
    const { ours, bare } = await setup(alg);
    const n = iters[alg];
    for (let i = 0; i < Math.min(n, 500); i++) {
      await ours();
      await bare();
    }
    const o: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await ours();
      o.push(Number(process.hrtime.bigint() - t0) / n);
      t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await bare();
      b.push(Number(process.hrtime.bigint() - t0) / n);
    }
    const row = { alg, oursPerSecond: Math.round(1e9 / median(o)), barePerSecond: Math.round(1e9 / median(b)), ratio: round(median(o) / median(b)) };
    progress(`token ${alg}: ${row.oursPerSecond}/s through createTokenVerifier, ${row.barePerSecond}/s bare jwtVerify (${row.ratio}× the time)`);
    rows.push(row);
  }
  return rows;
}

export async function tokenSection(): Promise<Section> {
  const rows = await runToken();
  return {
    name: 'token',
    markdown: [
      'One valid token per algorithm, verified sequentially on one core. Baseline: `jose.jwtVerify` with the same imported key and the same issuer/audience/age/required-claim options.',
      '',
      table(['alg', 'createTokenVerifier /s', 'bare jwtVerify /s', 'time ratio ours/bare'], rows.map((r) => [r.alg, r.oursPerSecond, r.barePerSecond, `${r.ratio}×`])),
    ].join('\n'),
    data: { rows },
    targets: [],
  };
}
