// Refusal of HMAC secrets that are too short or guessable, before any token is trusted with them.
import { ThreadgateError } from '../core/errors.ts';
import type { HmacAlgorithm } from '../core/jws-algorithms.ts';
import { minimumSecretBytes } from './algorithms.ts';

/** Secrets copied from tutorials, jwt.io and framework templates; attackers try these first. */
const KNOWN_WEAK_SECRETS = new Set([
  'secret',
  'secretkey',
  'secret-key',
  'secret_key',
  'mysecret',
  'my-secret',
  'my_secret',
  'mysecretkey',
  'supersecret',
  'super-secret',
  'topsecret',
  'jwtsecret',
  'jwt-secret',
  'jwt_secret',
  'changeme',
  'change-me',
  'change_me',
  'password',
  'passw0rd',
  'default',
  'test',
  'testing',
  'example',
  'shhhhh',
  'keyboard cat',
  'your-256-bit-secret',
  'your-384-bit-secret',
  'your-512-bit-secret',
  'your-secret-key',
  'your_secret_key',
  'a-string-secret-at-least-256-bits-long',
]);

/** Placeholder fragments that mean nobody replaced the example value. */
const PLACEHOLDER_FRAGMENTS = [
  'changeme',
  'change-me',
  'change_me',
  'change-this',
  'change_this',
  'replaceme',
  'replace-me',
  'replace_me',
  'your-256-bit-secret',
  'your-384-bit-secret',
  'your-512-bit-secret',
  'your-secret',
  'your_secret',
  'placeholder',
  'a-string-secret-at-least',
];

const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', '0123456789', 'qwertyuiopasdfghjklzxcvbnm'];

/** True when the text is one short unit repeated (`aaaa…`, `abab…`, `changemechangeme…`). */
function isRepetition(text: string): boolean {
  for (let unit = 1; unit <= 16 && unit * 2 <= text.length; unit += 1) {
    if (text.length % unit === 0 && text.slice(0, unit).repeat(text.length / unit) === text) return true;
  }
  return false;
}

/** True when the text runs along the alphabet, the digits or the keyboard (`abcdef…`, `012345…`). */
function isSequence(text: string): boolean {
  return SEQUENCES.some((sequence) => {
    const doubled = sequence.repeat(Math.ceil(text.length / sequence.length) + 1);
    const reversed = [...doubled].reverse().join('');
    return doubled.includes(text) || reversed.includes(text);
  });
}

/** Returns why a secret is guessable, or null; works on the secret's text so the checks stay readable. */
export function weakSecretReason(secret: Uint8Array): string | null {
  const text = Buffer.from(secret).toString('latin1');
  const lower = text.trim().toLowerCase();
  if (KNOWN_WEAK_SECRETS.has(lower)) return 'it is a well-known example secret';
  if (PLACEHOLDER_FRAGMENTS.some((fragment) => lower.includes(fragment))) return 'it still contains an example placeholder';
  if (new Set(text).size === 1) return 'it repeats a single character';
  if (isRepetition(lower)) return 'it repeats a short pattern';
  if (new Set(text).size < 8) return 'it uses fewer than 8 distinct characters';
  if (isSequence(lower)) return 'it is a run of consecutive characters';
  return null;
}

/**
 * Throws `jwt_secret_weak` or `jwt_secret_too_short`; weakness is checked first because `secret`
 * is short too, and "weak" tells the author that padding it is not the fix.
 */
export function assertStrongSecret(secret: Uint8Array, alg: HmacAlgorithm, where: string): void {
  const weakness = weakSecretReason(secret);
  if (weakness) {
    throw new ThreadgateError(
      'jwt_secret_weak',
      `${where}: the ${alg} secret is guessable (${weakness}); generate one with \`openssl rand -base64 48\`.`,
    );
  }
  const minimum = minimumSecretBytes(alg);
  if (secret.byteLength < minimum) {
    throw new ThreadgateError(
      'jwt_secret_too_short',
      `${where}: the ${alg} secret is ${secret.byteLength} bytes; use at least ${minimum} random bytes (RFC 7518 §3.2).`,
    );
  }
}
