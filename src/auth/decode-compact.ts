// Strict decoding of a compact JWS into its protected header, done by us before jose sees the token.
import { reject, type TokenRejection } from './token-rejection.ts';

export interface DecodedCompact {
  ok: true;
  header: Record<string, unknown>;
  signatureBytes: number;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes base64url only in its canonical form (no padding, spaces or stray low bits), because jose
 * accepts `sig=`, `sig ` and altered trailing bits as the same signature.
 */
export function decodeCanonicalBase64url(segment: string): Uint8Array | null {
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) return null;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? new Uint8Array(bytes) : null;
}

/** Splits and decodes the token; the header is a plain JSON object or the token is `malformed`. */
export function decodeCompact(token: string): DecodedCompact | TokenRejection {
  const parts = token.split('.');
  if (parts.length === 5) return reject('malformed', 'The token is an encrypted JWE; send a signed JWS (JWT) instead.');
  if (parts.length !== 3) return reject('malformed', 'The token must have three dot-separated parts; send the token exactly as signed.');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const headerBytes = decodeCanonicalBase64url(headerPart);
  const payloadBytes = decodeCanonicalBase64url(payloadPart);
  const signatureBytes = decodeCanonicalBase64url(signaturePart);
  if (!headerBytes || headerBytes.length === 0 || !payloadBytes || payloadBytes.length === 0 || !signatureBytes) {
    return reject('malformed', 'The token parts must be unpadded canonical base64url without spaces; send the token exactly as signed.');
  }
  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(headerBytes));
  } catch {
    return reject('malformed', 'The token header is not JSON; sign the token with a JWT library.');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    return reject('malformed', 'The token header must be a JSON object; sign the token with a JWT library.');
  }
  return { ok: true, header: header as Record<string, unknown>, signatureBytes: signatureBytes.length };
}
