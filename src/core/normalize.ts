// Normalisation of customer contact data (email, phone) so lookups and comparisons agree.
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;

/** True for an ISO 3166 alpha-2 country code the phone library knows, in upper case (`US`, `GB`). */
export function isPhoneCountry(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

/** Trims and lowercases an email; returns null when it is not a plausible address. */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL_RE.test(email)) return null;
  return email;
}

/**
 * Parses a phone number into E.164 (`+14155550123`); a number without a country prefix needs
 * `defaultCountry`. Returns null for anything that is not a valid number.
 */
export function normalizePhone(raw: string, defaultCountry?: string): string | null {
  const text = raw.trim();
  if (text.length === 0 || text.length > 32) return null;
  const parsed = parsePhoneNumberFromString(text, defaultCountry as CountryCode | undefined);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}
