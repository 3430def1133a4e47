// Parsing of a verified claims set with zod into the customer identity threadgate trusts (the core's VerifiedIdentity).
import { z } from 'zod';
import type { VerifiedIdentity } from '../core/events.ts';
import type { IdentityRequirement } from '../core/jwt-settings.schema.ts';
import { normalizeEmail, normalizePhone } from '../core/normalize.ts';
import { reject, type TokenRejection } from './token-rejection.ts';

/** Identity claims may be null or absent alike, since some identity providers emit explicit nulls. */
const optionalText = (max: number) => z.string().max(max).nullable().optional();

/** jose checks signatures and dates but not claim types (`sub: 123` passes), so we do. */
const IdentityClaimsSchema = z.looseObject({
  iss: z.string().max(1024).optional(),
  sub: z.string().min(1).max(255).optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  exp: z.number(),
  iat: z.number(),
  nbf: z.number().optional(),
  jti: z.string().min(1).max(255).optional(),
  email: optionalText(320),
  phone_number: optionalText(64),
  phone: optionalText(64),
  name: optionalText(256),
});

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Empty strings count as absent, so a site may send `email: ""` alongside a phone number. */
function present(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

const invalid = (claim: string, fix: string): TokenRejection => reject('claims_invalid', `The "${claim}" claim ${fix}.`);

export function readIdentity(
  payload: unknown,
  header: { kid: string | null; alg: string },
  requirement: IdentityRequirement,
): VerifiedIdentity | TokenRejection {
  const parsed = IdentityClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    const claim = parsed.error.issues[0]?.path[0];
    return typeof claim === 'string' && claim in IdentityClaimsSchema.shape
      ? invalid(claim, 'has the wrong type; send strings for identity claims and numbers for iat, exp and nbf')
      : reject('claims_invalid');
  }
  const claims = parsed.data;

  const rawEmail = present(claims.email);
  const email = rawEmail === null ? null : normalizeEmail(rawEmail);
  if (rawEmail !== null && email === null) return invalid('email', 'is not a valid email address; send the address the customer logged in with');

  const phoneClaims = [present(claims.phone_number), present(claims.phone)].filter((value): value is string => value !== null);
  const phones = [...new Set(phoneClaims.map((value) => normalizePhone(value)))];
  if (phones.includes(null)) return invalid('phone_number', 'is not a valid phone number; send it in E.164 form such as +14155550123');
  if (phones.length > 1) return invalid('phone_number', 'disagrees with the "phone" claim; send one phone number');
  const phone = phones[0] ?? null;

  const name = present(claims.name);
  if (name !== null && CONTROL_CHARACTERS.test(name)) return invalid('name', 'contains control characters; send the display name as plain text');

  const missing =
    requirement === 'email' ? email === null : requirement === 'phone' ? phone === null : email === null && phone === null;
  if (missing) {
    const needed = requirement === 'email' ? 'an email claim' : requirement === 'phone' ? 'a phone_number claim' : 'an email or phone_number claim';
    return reject('identity_missing', `The token carries no customer identity; add ${needed} as the widget's identity setting requires.`);
  }

  return {
    email,
    phone,
    name,
    subject: claims.sub ?? null,
    issuer: claims.iss ?? null,
    issuedAt: claims.iat,
    expiresAt: claims.exp,
    kid: header.kid,
    alg: header.alg,
    jti: claims.jti ?? null,
  };
}
