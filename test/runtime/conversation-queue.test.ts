// The per-conversation queue on its own: arrival order per key, other keys alongside, failures and time-outs hand on, idle keys forgotten.
import { describe, expect, it } from 'vitest';
import { ConversationQueue } from '../../src/runtime/conversation-queue.ts';

/** A promise the test settles by hand, so "still waiting" is a fact to check, not a duration. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

const ticks = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('ConversationQueue', () => {
  it('runs the calls of one key one at a time, in the order they arrived', async () => {
    const q = new ConversationQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const calls = Array.from({ length: 50 }, (_, i) =>
      q.run('a', 60_000, async () => {
        running++;
        most = Math.max(most, running);
        log.push(`start ${i}`);
        // Every other call yields to the event loop, so a second one would start now if the queue let it.
        if (i % 2) await new Promise((r) => setImmediate(r));
        log.push(`end ${i}`);
        running--;
        return i;
      }),
    );
    const answers = await Promise.all(calls);
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => ({ ok: true, value: i })));
    expect(most).toBe(1);
    expect(log).toEqual(Array.from({ length: 50 }, (_, i) => [`start ${i}`, `end ${i}`]).flat());
    expect(q.size).toBe(0);
  });

  it('does not hold a key behind another key that is blocked', async () => {
    const q = new ConversationQueue();
    const blocker = gate();
    let secondOnA = false;
    const a1 = q.run('a', 60_000, () => blocker.opened);
    const a2 = q.run('a', 60_000, async () => {
      secondOnA = true;
    });
    const b = await q.run('b', 60_000, async () => 'b done');
    expect(b).toEqual({ ok: true, value: 'b done' });
    expect(secondOnA).toBe(false);
    expect(q.size).toBe(1);
    blocker.open();
    await Promise.all([a1, a2]);
    expect(secondOnA).toBe(true);
    expect(q.size).toBe(0);
  });

  it('a call that throws rejects to its caller and the next call still runs', async () => {
    const q = new ConversationQueue();
    const first = q.run('a', 60_000, async () => {
      throw new Error('boom');
    });
    const second = q.run('a', 60_000, async () => 'after');
    await expect(first).rejects.toThrow('boom');
    expect(await second).toEqual({ ok: true, value: 'after' });
    expect(q.size).toBe(0);
  });

  it('a call that waits past its bound answers wait_timeout without running, and the ones behind it keep their order', async () => {
    const q = new ConversationQueue();
    const blocker = gate();
    const ran: string[] = [];
    const first = q.run('a', 60_000, async () => {
      await blocker.opened;
      ran.push('first');
    });
    const impatient = q.run('a', 5, async () => {
      ran.push('impatient');
    });
    const patient = q.run('a', 60_000, async () => {
      ran.push('patient');
    });
    expect(await impatient).toEqual({ ok: false, reason: 'wait_timeout' });
    await ticks();
    // The patient call is still behind the first one: the time-out did not let it jump the queue.
    expect(ran).toEqual([]);
    blocker.open();
    await Promise.all([first, patient]);
    expect(ran).toEqual(['first', 'patient']);
    expect(q.size).toBe(0);
  });

  it('hands the rest of the wait to the call, so a lock after the queue spends the same budget', async () => {
    const q = new ConversationQueue();
    const left = await q.run('a', 10_000, async (ms) => ms);
    expect(left.ok && left.value).toBeGreaterThan(0);
    expect(left.ok && left.value).toBeLessThanOrEqual(10_000);
  });

  it('forgets a key once its queue is empty, so memory follows the busy conversations only', async () => {
    const q = new ConversationQueue();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => q.run(`conv-${i}`, 60_000, async () => i)));
    expect(q.size).toBe(0);
  });

  it('a call that hands on lets the next one start before it settles; `earlier` still waits for it', async () => {
    const q = new ConversationQueue();
    const hold = gate();
    const log: string[] = [];
    let secondPlace: { previous: object | null; earlierSettled: boolean } | null = null;
    let firstSelf: object | null = null;
    const first = q.run('a', 60_000, async (_left, place) => {
      firstSelf = place.self;
      expect(place.previous).toBeNull();
      place.handOn();
      await hold.opened;
      log.push('first settles');
    });
    const second = q.run('a', 60_000, async (_left, place) => {
      log.push('second starts');
      let settled = false;
      void place.earlier.then(() => (settled = true));
      await ticks(2);
      secondPlace = { previous: place.previous, earlierSettled: settled };
      await place.earlier;
      log.push('second sees earlier settled');
    });
    await ticks();
    expect(log).toEqual(['second starts']);
    expect(secondPlace).toEqual({ previous: firstSelf, earlierSettled: false });
    hold.open();
    await Promise.all([first, second]);
    expect(log).toEqual(['second starts', 'first settles', 'second sees earlier settled']);
    await ticks();
    expect(q.size).toBe(0);
  });
});
