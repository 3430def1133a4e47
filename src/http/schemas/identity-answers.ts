// What threadgate as an identity issuer answers: a minted User Identity JWT, and the JWKS of its key ring.
import { z } from 'zod';
import type { publicJwks } from '../../auth/key-ring.ts';

export const IdentityTokenSchema = z
  .strictObject({
    token: z.string().describe('The ES256 User Identity JWT; pass it to the widget as is.'),
    expiresAt: z.string().describe('When the token expires (ISO 8601).'),
    kid: z.string().describe('The key it is signed with; /.well-known/jwks.json publishes it.'),
  })
  .meta({ id: 'IdentityToken' });
export type IdentityToken = z.infer<typeof IdentityTokenSchema>;

export const PublicJwkSchema = z
  .strictObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string(), kid: z.string(), alg: z.literal('ES256'), use: z.literal('sig') })
  .meta({ id: 'PublicJwk' });
export const JwksSchema = z.strictObject({ keys: z.array(PublicJwkSchema) }).meta({ id: 'Jwks' });
export type Jwks = z.infer<typeof JwksSchema>;

// Compile-time drift check against what the key ring publishes, both ways.
type Assert<T extends true> = T;
type Published = ReturnType<typeof publicJwks>;
export type JwksFitsSchema = Assert<Published extends Jwks ? true : false>;
export type SchemaFitsJwks = Assert<Jwks extends Published ? true : false>;
