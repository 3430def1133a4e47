// The stores' profile contract against MemoryProfileDirectory, so the in-memory directory means what the stores mean.
import { describe, expect, it } from 'vitest';
import { MemoryProfileDirectory } from '../../src/profiles/memory-directory.ts';
import { profilesContract } from '../store/contract/profiles.contract.ts';

describe('Profile contract: MemoryProfileDirectory', () => {
  profilesContract(async () => ({ profiles: new MemoryProfileDirectory(), close: async () => {} }));
});

describe('MemoryProfileDirectory beyond the contract', () => {
  it('takes seeds, normalised, and refuses two seeds sharing a key', async () => {
    const d = new MemoryProfileDirectory([{ id: 'julie', name: 'Julie', emails: ['Julie@Example.com'], attributes: { tier: 'gold' } }]);
    expect(d.size).toBe(1);
    expect(await d.find({ email: 'julie@example.com' })).toMatchObject({ id: 'julie', attributes: { tier: 'gold' } });
    expect(() => new MemoryProfileDirectory([{ id: 'a', emails: ['x@example.com'] }, { id: 'b', emails: ['X@example.com'] }])).toThrow(/email:x@example.com already belongs to profile a/);
  });

  it('hands out copies: editing an answer does not edit the directory', async () => {
    const d = new MemoryProfileDirectory([{ id: 'p1', emails: ['a@example.com'], attributes: { n: 1 } }]);
    const got = (await d.get('p1'))!;
    got.attributes!.n = 2;
    got.emails!.push('b@example.com');
    expect(await d.get('p1')).toMatchObject({ attributes: { n: 1 }, emails: ['a@example.com'] });
    expect(await d.find({ email: 'b@example.com' })).toBeNull();
  });
});
