// The shape a key id (`kid`) must have, shared by the settings schema (core) and the key ring and verifier (auth).

/** Short and plain, so a hostile header cannot smuggle paths, URLs or megabytes into a map lookup or a log line. */
export const KID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

export function isValidKid(value: unknown): value is string {
  return typeof value === 'string' && KID_PATTERN.test(value);
}
