// Contract: ping and close, and the JSON key rings of threadgate's own token issuer.
import { describe, expect, it } from 'vitest';
import { rotateKeyRing, type KeyRingData } from '../../../src/auth/key-ring.ts';
import { T0, useStore, type OpenStore } from './fixtures.ts';

export function lifecycleContract(open: OpenStore): void {
  const store = useStore(open);

  describe('lifecycle', () => {
    it('answers a ping while open, refuses one after close, and closes twice without error', async () => {
      await expect(store().ping()).resolves.toBeUndefined();
      await store().close();
      await expect(store().ping()).rejects.toThrow();
      await expect(store().close()).resolves.toBeUndefined();
    });
  });

  describe('key rings', () => {
    it('answers null for a ring never saved', async () => {
      expect(await store().loadKeyRing('issuer')).toBeNull();
    });

    it('round-trips a ring, and a save replaces it', async () => {
      const first = await rotateKeyRing({ keys: [] }, new Date(T0));
      await store().saveKeyRing('issuer', first);
      expect(await store().loadKeyRing('issuer')).toEqual(first);
      const second = await rotateKeyRing(first, new Date(T0 + 1000));
      await store().saveKeyRing('issuer', second);
      expect(await store().loadKeyRing('issuer')).toEqual(second);
      expect(await store().loadKeyRing('other')).toBeNull();
    });

    it('refuses to save a ring that is not valid', async () => {
      const ring = await rotateKeyRing({ keys: [] }, new Date(T0));
      const broken = { keys: [{ ...ring.keys[0]!, privateJwk: { ...ring.keys[0]!.privateJwk, x: 'AAAA' } }] } as KeyRingData;
      await expect(store().saveKeyRing('issuer', broken)).rejects.toMatchObject({ code: 'jwt_config_invalid' });
      expect(await store().loadKeyRing('issuer')).toBeNull();
    });
  });
}
