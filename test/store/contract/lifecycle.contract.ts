// Contract: ping, the readiness probe write, close and exclusively(), and the JSON key rings of threadgate's own token issuer.
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

    it('commits the readiness probe write again and again while open, and refuses it after close', async () => {
      await expect(store().probeWrite(new Date(T0).toISOString())).resolves.toBeUndefined();
      await expect(store().probeWrite(new Date(T0 + 1000).toISOString())).resolves.toBeUndefined();
      await store().close();
      await expect(store().probeWrite(new Date(T0 + 2000).toISOString())).rejects.toThrow();
    });
  });

  describe('exclusively', () => {
    it('runs the work under one name one call at a time, answers its value, and goes on after a failure', async () => {
      let running = 0;
      let most = 0;
      const work = async (i: number) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        return i;
      };
      await expect(store().exclusively('job', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await Promise.all([1, 2, 3].map((i) => store().exclusively('job', () => work(i))))).toEqual([1, 2, 3]);
      expect(most).toBe(1);
    });
  });

  describe('key rings', () => {
    it('answers null for a ring never saved', async () => {
      expect(await store().keyRings.load('issuer')).toBeNull();
    });

    it('round-trips a ring, and a save replaces it', async () => {
      const first = await rotateKeyRing({ keys: [] }, new Date(T0));
      await store().keyRings.save('issuer', first);
      expect(await store().keyRings.load('issuer')).toEqual(first);
      const second = await rotateKeyRing(first, new Date(T0 + 1000));
      await store().keyRings.save('issuer', second);
      expect(await store().keyRings.load('issuer')).toEqual(second);
      expect(await store().keyRings.load('other')).toBeNull();
    });

    it('refuses to save a ring that is not valid', async () => {
      const ring = await rotateKeyRing({ keys: [] }, new Date(T0));
      const broken = { keys: [{ ...ring.keys[0]!, privateJwk: { ...ring.keys[0]!.privateJwk, x: 'AAAA' } }] } as KeyRingData;
      await expect(store().keyRings.save('issuer', broken)).rejects.toMatchObject({ code: 'jwt_config_invalid' });
      expect(await store().keyRings.load('issuer')).toBeNull();
    });
  });
}
