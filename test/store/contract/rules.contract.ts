// Contract: thread drafts, published versions with rollback, and widgets.
import { describe, expect, it } from 'vitest';
import { at, create, useStore, type OpenStore } from './fixtures.ts';

export function rulesContract(open: OpenStore): void {
  const store = useStore(open);

  describe('threads', () => {
    it('keeps one draft per thread, replaced on every put', async () => {
      expect(await store().rules.getThreadDraft('t1')).toBeNull();
      expect(await store().rules.putThreadDraft('t1', 'id: t1 # v1', at(0))).toEqual({ id: 't1', source: 'id: t1 # v1', updatedAt: at(0) });
      await store().rules.putThreadDraft('t1', 'id: t1 # v2', at(1));
      expect(await store().rules.getThreadDraft('t1')).toEqual({ id: 't1', source: 'id: t1 # v2', updatedAt: at(1) });
    });

    it('publishes nothing without a draft', async () => {
      expect(await store().rules.publishThread('t1', at(0))).toBeNull();
      expect(await store().rules.listThreadVersions('t1')).toEqual([]);
      expect(await store().rules.getActiveThreadVersion('t1')).toBeNull();
    });

    it('publishes the draft as the next version and makes it the active one', async () => {
      await store().rules.putThreadDraft('t1', 'one', at(0));
      expect(await store().rules.publishThread('t1', at(1))).toEqual({ threadId: 't1', version: 1, source: 'one', publishedAt: at(1), active: true });
      await store().rules.putThreadDraft('t1', 'two', at(2));
      expect(await store().rules.publishThread('t1', at(3))).toEqual({ threadId: 't1', version: 2, source: 'two', publishedAt: at(3), active: true });
      expect(await store().rules.listThreadVersions('t1')).toEqual([
        { threadId: 't1', version: 1, source: 'one', publishedAt: at(1), active: false },
        { threadId: 't1', version: 2, source: 'two', publishedAt: at(3), active: true },
      ]);
      expect(await store().rules.getThreadVersion('t1', 1)).toMatchObject({ source: 'one', active: false });
      expect(await store().rules.getThreadVersion('t1', 3)).toBeNull();
      expect(await store().rules.getActiveThreadVersion('t1')).toMatchObject({ version: 2 });
    });

    it('keeps a published version as it was when the draft changes', async () => {
      await store().rules.putThreadDraft('t1', 'one', at(0));
      await store().rules.publishThread('t1', at(1));
      await store().rules.putThreadDraft('t1', 'edited', at(2));
      expect(await store().rules.getActiveThreadVersion('t1')).toMatchObject({ version: 1, source: 'one' });
    });

    it('rolls back to an earlier version, and refuses one that does not exist', async () => {
      await store().rules.putThreadDraft('t1', 'one', at(0));
      await store().rules.publishThread('t1', at(1));
      await store().rules.publishThread('t1', at(2));
      expect(await store().rules.activateThreadVersion('t1', 1)).toMatchObject({ version: 1, active: true });
      expect((await store().rules.listThreadVersions('t1')).map((v) => v.active)).toEqual([true, false]);
      expect(await store().rules.activateThreadVersion('t1', 7)).toBeNull();
      expect(await store().rules.activateThreadVersion('t2', 1)).toBeNull();
      expect(await store().rules.getActiveThreadVersion('t1')).toMatchObject({ version: 1 });
      // Publishing after a rollback still numbers past every version, not past the active one.
      expect(await store().rules.publishThread('t1', at(3))).toMatchObject({ version: 3, active: true });
    });

    it('keeps versions of different threads apart', async () => {
      await store().rules.putThreadDraft('t1', 'one', at(0));
      await store().rules.putThreadDraft('t2', 'other', at(0));
      await store().rules.publishThread('t1', at(1));
      expect(await store().rules.publishThread('t2', at(1))).toMatchObject({ threadId: 't2', version: 1 });
      expect(await store().rules.getActiveThreadVersion('t1')).toMatchObject({ source: 'one' });
    });

    it('lists the ids of every thread with a draft or a version, sorted', async () => {
      expect(await store().rules.listThreadIds()).toEqual([]);
      await store().rules.putThreadDraft('zeta', 'z', at(0));
      await store().rules.putThreadDraft('alpha', 'a', at(0));
      await store().rules.publishThread('alpha', at(1));
      expect(await store().rules.listThreadIds()).toEqual(['alpha', 'zeta']);
    });
  });

  describe('widgets', () => {
    it('puts, replaces, gets, lists by id and deletes', async () => {
      expect(await store().rules.getWidget('w1')).toBeNull();
      expect(await store().rules.putWidget('w2', 'id: w2', at(0))).toEqual({ id: 'w2', source: 'id: w2', updatedAt: at(0) });
      await store().rules.putWidget('w1', 'id: w1', at(0));
      await store().rules.putWidget('w2', 'id: w2 # edited', at(1));
      expect(await store().rules.getWidget('w2')).toEqual({ id: 'w2', source: 'id: w2 # edited', updatedAt: at(1) });
      expect((await store().rules.listWidgets()).map((w) => w.id)).toEqual(['w1', 'w2']);
      expect(await store().rules.deleteWidget('w1')).toBe(true);
      expect(await store().rules.deleteWidget('w1')).toBe(false);
      expect(await store().rules.listWidgets()).toEqual([{ id: 'w2', source: 'id: w2 # edited', updatedAt: at(1) }]);
    });
  });

  describe('rules generation', () => {
    it('grows with every change a runtime sees (widget put/delete, publish, rollback), and with nothing else', async () => {
      const g = () => store().rules.generation();
      const g0 = await g();
      await store().rules.putThreadDraft('t1', 'one', at(0));
      expect(await g()).toBe(g0);
      await store().rules.publishThread('t1', at(1));
      const g1 = await g();
      expect(g1).toBeGreaterThan(g0);
      await store().rules.putThreadDraft('t1', 'two', at(2));
      await store().rules.publishThread('t1', at(3));
      const g2 = await g();
      expect(g2).toBeGreaterThan(g1);
      await store().rules.activateThreadVersion('t1', 1);
      const g3 = await g();
      expect(g3).toBeGreaterThan(g2);
      expect(await store().rules.activateThreadVersion('t1', 9)).toBeNull();
      await store().rules.putWidget('w1', 'id: w1', at(4));
      const g4 = await g();
      expect(g4).toBeGreaterThan(g3);
      expect(await store().rules.deleteWidget('w1')).toBe(true);
      const g5 = await g();
      expect(g5).toBeGreaterThan(g4);
      // Reads, and a delete that deleted nothing, leave it alone.
      expect(await store().rules.deleteWidget('w1')).toBe(false);
      await store().rules.getWidget('w1');
      await store().rules.listThreadVersions('t1');
      expect(await g()).toBe(g5);
    });

    it('is read with the conversation by get, the same number generation() answers', async () => {
      await create(store(), 'c1');
      expect((await store().conversations.get('c1'))?.rulesGeneration).toBe(await store().rules.generation());
      await store().rules.putWidget('w1', 'id: w1', at(0));
      const now = await store().rules.generation();
      expect((await store().conversations.get('c1'))?.rulesGeneration).toBe(now);
      expect(await store().conversations.get('nobody')).toBeNull();
    });
  });
}
