// An in-memory profile directory, for tests and the replay runner; normalises keys like the real stores.
import type { ProfileRecord } from '../core/events.ts';
import { normalizeEmail, normalizePhone } from '../core/normalize.ts';
import type { ProfileDraft } from '../core/outputs.ts';
import type { ContactKeys, ProfileDirectory } from './profile-directory.ts';

export interface ProfileSeed {
  id: string;
  name?: string | null;
  emails?: string[];
  phones?: string[];
  externalId?: string | null;
  attributes?: Record<string, unknown>;
}

/** Normalises the keys of a profile; a key that is not a valid email or phone is refused. */
function normalised(seed: ProfileSeed): ProfileRecord {
  const emails = (seed.emails ?? []).map((e) => {
    const n = normalizeEmail(e);
    if (!n) throw new Error(`profile ${seed.id}: "${e}" is not an email address`);
    return n;
  });
  const phones = (seed.phones ?? []).map((p) => {
    const n = normalizePhone(p);
    if (!n) throw new Error(`profile ${seed.id}: "${p}" is not an E.164 phone number`);
    return n;
  });
  return { id: seed.id, name: seed.name ?? null, emails, phones, externalId: seed.externalId ?? null, attributes: { ...(seed.attributes ?? {}) } };
}

export class MemoryProfileDirectory implements ProfileDirectory {
  private readonly byId = new Map<string, ProfileRecord>();
  private readonly byKey = new Map<string, string>();

  constructor(seeds: ProfileSeed[] = []) {
    for (const s of seeds) this.insert(normalised(s));
  }

  private insert(p: ProfileRecord): void {
    for (const k of keysOf(p)) {
      const owner = this.byKey.get(k);
      if (owner && owner !== p.id) throw new Error(`profile ${p.id}: ${k} already belongs to profile ${owner}`);
    }
    this.byId.set(p.id, p);
    for (const k of keysOf(p)) this.byKey.set(k, p.id);
  }

  async find(keys: ContactKeys): Promise<ProfileRecord | null> {
    return this.lookup(keys);
  }

  /** Synchronous, so a create checks and inserts with no await in between (no lost race). */
  private lookup(keys: ContactKeys): ProfileRecord | null {
    const email = keys.email ? normalizeEmail(keys.email) : null;
    const phone = keys.phone ? normalizePhone(keys.phone) : null;
    for (const k of [keys.externalId ? `ext:${keys.externalId}` : null, email ? `email:${email}` : null, phone ? `phone:${phone}` : null]) {
      const id = k ? this.byKey.get(k) : undefined;
      if (id) return structuredClone(this.byId.get(id)!);
    }
    return null;
  }

  async create(draft: ProfileDraft): Promise<ProfileRecord> {
    const existing = this.lookup({ email: draft.emails[0], phone: draft.phones[0], externalId: draft.externalId });
    if (existing) return existing;
    const record = normalised({ ...draft, attributes: {} });
    this.insert(record);
    return structuredClone(record);
  }

  get size(): number {
    return this.byId.size;
  }
}

function keysOf(p: ProfileRecord): string[] {
  return [
    ...(p.externalId ? [`ext:${p.externalId}`] : []),
    ...(p.emails ?? []).map((e) => `email:${e}`),
    ...(p.phones ?? []).map((ph) => `phone:${ph}`),
  ];
}
