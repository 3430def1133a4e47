// "Start anywhere": a thread file changed to start at a chosen step with slots filled in, shared by transcripts (start.at, start.slots) and the studio's simulator.
import { parseDocument } from 'yaml';
import type { Scalar } from '../core/thread.schema.ts';

/** The step that fills the preset slots before the chosen step runs; its id cannot clash with an author's (a leading `x-`). */
export const PRESET_STEP = 'x-preset-slots';

/**
 * The thread source with `start:` moved to `at` and, when slots are given, a first step whose `set` action fills
 * them, so both the runtime and the simulator reach the step the same way, through the core. Unchanged when
 * neither is given.
 */
export function startAt(source: string, at: string | null | undefined, slots: Record<string, Scalar> = {}): string {
  if (!at && Object.keys(slots).length === 0) return source;
  const doc = parseDocument(source);
  const target = at ?? String(doc.get('start'));
  if (Object.keys(slots).length === 0) {
    doc.set('start', target);
    return doc.toString();
  }
  doc.setIn(['steps', PRESET_STEP], doc.createNode({ action: { type: 'set', slots }, next: target }));
  doc.set('start', PRESET_STEP);
  return doc.toString();
}
