// The zod schema of a widget's `jwt:` settings as authored in a YAML widget file; the widget schema embeds it, auth resolves it.
import { z } from 'zod';
import { JWS_ALGORITHMS, isHmacAlgorithm } from './jws-algorithms.ts';
import { KID_PATTERN } from './jws-kid.ts';

/** Indirection to an environment variable, so secrets stay out of files that are committed. */
export const EnvReferenceSchema = z
  .object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env must be an environment variable name') })
  .strict();

/** Private or secret JWK members: configuration holds verification keys only. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

/** A public JWK; not `.strict()` because RFC 7517 lets a JWK carry members we neither know nor need. */
export const PublicJwkSchema = z.record(z.string(), z.unknown()).superRefine((jwk, ctx) => {
  if (typeof jwk.kty !== 'string') {
    ctx.addIssue({ code: 'custom', message: 'jwk needs a "kty" member (RSA, EC or OKP)', path: ['kty'] });
  }
  for (const member of PRIVATE_JWK_MEMBERS) {
    if (member in jwk) {
      ctx.addIssue({
        code: 'custom',
        message: `jwk has the private or secret member "${member}"; configure only the public key`,
        path: [member],
      });
    }
  }
});

export const JwtKeySchema = z
  .object({
    kid: z
      .string()
      .regex(KID_PATTERN, 'kid must be 1-128 characters of A-Z a-z 0-9 . _ -')
      .optional()
      .describe('Key id; a token naming this kid is checked against this key only. Keys without kid are tried for tokens without kid.'),
    alg: z.enum(JWS_ALGORITHMS).describe('The one algorithm this key verifies.'),
    secret: z
      .union([z.string().min(1), EnvReferenceSchema])
      .optional()
      .describe('HMAC secret for HS256/384/512 (at least 32/48/64 bytes); prefer { env: NAME }.'),
    publicKey: z
      .union([z.string().min(1), EnvReferenceSchema])
      .optional()
      .describe('PEM public key (-----BEGIN PUBLIC KEY-----, SPKI) for RS/PS/ES/EdDSA algorithms.'),
    jwk: PublicJwkSchema.optional().describe('Public JWK for RS/PS/ES/EdDSA algorithms; its kid is used when kid is not given.'),
  })
  .strict()
  .superRefine((key, ctx) => {
    const given = (['secret', 'publicKey', 'jwk'] as const).filter((field) => key[field] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'a key needs exactly one of secret, publicKey or jwk', path: [] });
      return;
    }
    const hmac = isHmacAlgorithm(key.alg);
    if (hmac && given[0] !== 'secret') {
      ctx.addIssue({ code: 'custom', message: `${key.alg} is an HMAC algorithm: give a secret`, path: [given[0]!] });
    }
    if (!hmac && given[0] === 'secret') {
      ctx.addIssue({
        code: 'custom',
        message: `${key.alg} is a public-key algorithm: give a publicKey (PEM) or a jwk, not a secret`,
        path: ['secret'],
      });
    }
  });

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** JWKS must come over TLS, except from the same machine, because a spoofed JWKS is a forged login. */
export function isAllowedJwksUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password || url.hash) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const IDENTITY_REQUIREMENTS = ['email', 'phone', 'email_or_phone'] as const;
export type IdentityRequirement = (typeof IDENTITY_REQUIREMENTS)[number];

/** The claims jose must always find, whatever the author lists: without them a token never expires. */
export const ALWAYS_REQUIRED_CLAIMS = ['exp', 'iat'] as const;

export const JwtSettingsSchema = z
  .object({
    keys: z.array(JwtKeySchema).min(1).optional().describe('Verification keys configured in the widget file.'),
    jwksUrl: z
      .string()
      .refine(isAllowedJwksUrl, 'jwksUrl must be an https URL (http only for localhost or 127.0.0.1), without credentials')
      .optional()
      .describe('JSON Web Key Set URL serving public keys (https; http only for localhost).'),
    jwksCacheSeconds: z.number().int().min(30).max(86_400).default(600).describe('How long a fetched JWKS is reused.'),
    issuer: oneOrMany.optional().describe('Accepted iss values; when set, iss is required.'),
    audience: oneOrMany.optional().describe('Accepted aud values; when set, aud is required.'),
    clockToleranceSeconds: z.number().int().min(0).max(300).default(5).describe('Allowed clock skew for exp, nbf and iat.'),
    maxTokenAgeSeconds: z.number().int().min(1).max(86_400).default(3600).describe('Tokens whose iat is older are refused, whatever their exp.'),
    requiredClaims: z
      .array(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'claim names are 1-64 characters of A-Z a-z 0-9 _ . : -'))
      .optional()
      .transform((claims) => [...new Set([...ALWAYS_REQUIRED_CLAIMS, ...(claims ?? [])])])
      .describe('Claims every token must carry; exp and iat are always required.'),
    typ: z.string().min(1).max(100).optional().describe('Required typ header, e.g. user-identity+jwt, so other JWTs of the site cannot be replayed.'),
    identity: z.enum(IDENTITY_REQUIREMENTS).default('email_or_phone').describe('Which identity claim a token must carry.'),
    maxTokenBytes: z.number().int().min(256).max(65_536).default(4096).describe('Longer tokens are refused before parsing.'),
  })
  .strict()
  .superRefine((settings, ctx) => {
    if (!settings.keys && settings.jwksUrl === undefined) {
      ctx.addIssue({ code: 'custom', message: 'jwt settings need keys, a jwksUrl, or both', path: [] });
    }
  });

/** The settings after parsing, with every default filled in. */
export type JwtSettings = z.output<typeof JwtSettingsSchema>;
/** The settings as an author writes them (defaults optional). */
export type JwtSettingsInput = z.input<typeof JwtSettingsSchema>;
export type JwtKeySettings = z.output<typeof JwtKeySchema>;
