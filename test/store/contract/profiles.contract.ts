// Contract: the profile directory (find, race-free create) and the admin profile operations, for every ProfileRepository.
import { describe, expect, it } from 'vitest';
import type { ProfileRecord } from '../../../src/core/events.ts';
import type { ProfileDraft } from '../../../src/core/outputs.ts';
import { at, useFresh, type OpenProfiles } from './fixtures.ts';

const draft = (id: string, over: Partial<ProfileDraft> = {}): ProfileDraft => ({ id, name: 'Julie Doe', emails: [], phones: [], externalId: null, ...over });

/** Runs against a store's `profiles` and against MemoryProfileDirectory alike (test/profiles/memory-directory.test.ts). */
export function profilesContract(open: OpenProfiles): void {
  const fresh = useFresh(open);
  const profiles = () => fresh().profiles;

  describe('profile directory', () => {
    it('creates a profile with normalised keys and finds it by any key, however it is spelled', async () => {
      const created = await profiles().create(draft('p1', { emails: ['  Julie@Example.COM '], phones: ['+1 (415) 555-0123'], externalId: 'u-42' }));
      const expected = { id: 'p1', name: 'Julie Doe', emails: ['julie@example.com'], phones: ['+14155550123'], externalId: 'u-42', attributes: {} };
      expect(created).toEqual(expected);
      expect(await profiles().find({ email: 'JULIE@example.com ' })).toEqual(expected);
      expect(await profiles().find({ phone: '+1 415-555-0123' })).toEqual(expected);
      expect(await profiles().find({ externalId: 'u-42' })).toEqual(expected);
      expect(await profiles().get('p1')).toEqual(expected);
    });

    it('looks up by external id first, then email, then phone', async () => {
      await profiles().create(draft('by-ext', { externalId: 'u-1' }));
      await profiles().create(draft('by-email', { emails: ['a@example.com'] }));
      await profiles().create(draft('by-phone', { phones: ['+14155550123'] }));
      const all = { externalId: 'u-1', email: 'a@example.com', phone: '+14155550123' };
      expect((await profiles().find(all))?.id).toBe('by-ext');
      expect((await profiles().find({ ...all, externalId: 'u-unknown' }))?.id).toBe('by-email');
      expect((await profiles().find({ ...all, externalId: null, email: 'b@example.com' }))?.id).toBe('by-phone');
    });

    it('finds nobody for invalid, absent or unknown keys', async () => {
      await profiles().create(draft('p1', { emails: ['a@example.com'], phones: ['+14155550123'] }));
      expect(await profiles().find({})).toBeNull();
      expect(await profiles().find({ email: 'not-an-email', phone: '555' })).toBeNull();
      expect(await profiles().find({ email: 'b@example.com', externalId: 'nobody' })).toBeNull();
    });

    it('returns the existing owner instead of a duplicate when any key is taken', async () => {
      await profiles().create(draft('owner', { emails: ['a@example.com', 'b@example.com'], phones: ['+14155550123'], externalId: 'u-1' }));
      for (const keys of [{ emails: ['B@example.com'] }, { phones: ['+1 415 555 0123'] }, { externalId: 'u-1' }, { emails: ['new@example.com'], phones: ['+14155550123'] }]) {
        expect((await profiles().create(draft('dup', keys))).id).toBe('owner');
      }
      expect(await profiles().get('dup')).toBeNull();
      // The free key of a refused draft is not attached to the owner either.
      expect(await profiles().find({ email: 'new@example.com' })).toBeNull();
    });

    it('makes one profile out of many concurrent first contacts of one customer', async () => {
      const made = await Promise.all(Array.from({ length: 25 }, (_, i) => profiles().create(draft(`p${i}`, { emails: [i % 2 ? 'Race@Example.com' : 'race@example.com'] }))));
      expect(new Set(made.map((p) => p.id)).size).toBe(1);
      expect(await profiles().list(100)).toHaveLength(1);
    });

    it('refuses a draft whose email is not an email', async () => {
      await expect(profiles().create(draft('p1', { emails: ['nope'] }))).rejects.toThrow(/not an email/);
      expect(await profiles().get('p1')).toBeNull();
    });
  });

  describe('admin profiles', () => {
    it('creates and replaces a profile: name, attributes and the key set', async () => {
      expect(await profiles().put({ id: 'p1', name: 'Julie', emails: ['old@example.com'], phones: ['+14155550123'], attributes: { tier: 'gold' } }, at(0))).toEqual({ ok: true });
      expect(await profiles().put({ id: 'p1', name: 'Julie D.', emails: ['New@example.com'], externalId: 'u-9', attributes: { tier: 'silver', n: [1, 2] } }, at(1))).toEqual({ ok: true });
      expect(await profiles().get('p1')).toEqual({ id: 'p1', name: 'Julie D.', emails: ['new@example.com'], phones: [], externalId: 'u-9', attributes: { tier: 'silver', n: [1, 2] } });
      expect(await profiles().find({ email: 'old@example.com' })).toBeNull();
      expect(await profiles().find({ phone: '+14155550123' })).toBeNull();
      expect((await profiles().find({ externalId: 'u-9' }))?.id).toBe('p1');
    });

    it('keeps the order of emails and phones', async () => {
      await profiles().put({ id: 'p1', emails: ['z@example.com', 'a@example.com', 'm@example.com'], phones: ['+442071838750', '+14155550123'] }, at(0));
      expect(await profiles().get('p1')).toMatchObject({ emails: ['z@example.com', 'a@example.com', 'm@example.com'], phones: ['+442071838750', '+14155550123'] });
    });

    it("refuses a key that belongs to another profile, naming the owner and the key, and writes nothing", async () => {
      await profiles().put({ id: 'owner', emails: ['a@example.com'], phones: ['+14155550123'], externalId: 'u-1' }, at(0));
      await profiles().put({ id: 'p2', name: 'Before', emails: ['p2@example.com'] }, at(0));
      const tries: [Partial<ProfileRecord>, string][] = [
        [{ emails: ['p2@example.com', 'A@example.com'] }, 'email:a@example.com'],
        [{ phones: ['+1 415 555 0123'] }, 'phone:+14155550123'],
        [{ externalId: 'u-1' }, 'externalId:u-1'],
      ];
      for (const [keys, key] of tries) {
        expect(await profiles().put({ id: 'p2', name: 'After', ...keys }, at(1))).toEqual({ ok: false, takenBy: 'owner', key });
      }
      expect(await profiles().get('p2')).toEqual({ id: 'p2', name: 'Before', emails: ['p2@example.com'], phones: [], externalId: null, attributes: {} });
    });

    it('answers null for an unknown profile', async () => {
      expect(await profiles().get('nobody')).toBeNull();
    });

    it('lists profiles by id, a page at a time', async () => {
      for (const id of ['c', 'a', 'e', 'b', 'd']) await profiles().put({ id }, at(0));
      const ids = async (limit: number, after?: string) => (await profiles().list(limit, after)).map((p) => p.id);
      expect(await ids(2)).toEqual(['a', 'b']);
      expect(await ids(2, 'b')).toEqual(['c', 'd']);
      expect(await ids(2, 'd')).toEqual(['e']);
      expect(await ids(10, 'e')).toEqual([]);
      expect(await ids(0)).toEqual([]);
      await expect(profiles().list(-1)).rejects.toMatchObject({ code: 'value_invalid' });
    });
  });
}
