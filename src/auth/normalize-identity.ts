// Validation and normalisation of the identity values put into tokens we mint (email, phone, name, jti).
import { ThreadgateError } from '../core/errors.ts';
import { normalizeEmail, normalizePhone } from '../core/normalize.ts';

export type IdentityType = 'email' | 'phone';

function invalid(message: string): ThreadgateError {
  return new ThreadgateError('identity_value_invalid', message);
}

/** Returns the email (trimmed, lowercased) or E.164 phone; messages never repeat the value, which is personal data. */
export function normalizeIdentityValue(type: IdentityType, value: unknown): string {
  if (typeof value !== 'string') throw invalid(`The ${type} must be a string.`);
  if (type === 'email') {
    const email = normalizeEmail(value);
    if (email === null) throw invalid('The email is not a valid address; pass the address the customer logged in with.');
    return email;
  }
  const phone = normalizePhone(value);
  if (phone === null) throw invalid('The phone is not a valid number; pass it in E.164 form such as +14155550123.');
  return phone;
}

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** A display name: trimmed, at most 256 characters, no control characters (the verifier refuses those). */
export function normalizeName(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid('The name must be a string.');
  const name = value.trim();
  if (name === '') return undefined;
  if (name.length > 256 || CONTROL_CHARACTERS.test(name)) throw invalid('The name must be at most 256 characters of plain text.');
  return name;
}

/** A token id for replay caches keyed on (iss, jti): non-empty, at most 255 characters. */
export function normalizeJti(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
    throw invalid('The jti must be a non-empty string of at most 255 characters.');
  }
  return value;
}
