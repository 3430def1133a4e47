// A small layered SVG drawing of a thread, so `graph --format svg` needs no browser or network.
import type { CompiledThread } from '../core/compile.ts';
import { threadEdges } from '../lint/thread-graph.ts';
import { edgeLabel, stepSummary } from './thread-mermaid.ts';

const CHAR_W = 6.6;
const LINE_H = 15;
const GAP_X = 40;
const GAP_Y = 70;
const PAD = 8;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Box {
  id: string;
  lines: string[];
  kind: 'start' | 'handler' | 'step' | 'ask' | 'terminal';
  layer: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Layers by shortest distance from the start and the handlers; boxes in a layer side by side. */
export function threadToSvg(thread: CompiledThread): string {
  const edges = threadEdges(thread);
  const boxes = new Map<string, Box>();
  const add = (id: string, lines: string[], kind: Box['kind']) =>
    boxes.set(id, { id, lines, kind, layer: Infinity, x: 0, y: 0, w: Math.max(...lines.map((l) => l.length)) * CHAR_W + 2 * PAD, h: lines.length * LINE_H + 2 * PAD });
  add('start', ['start'], 'start');
  for (const ev of Object.keys(thread.on)) add(`on.${ev}`, [`on ${ev}`], 'handler');
  for (const s of thread.steps.values()) add(s.id, stepSummary(s), s.terminal ? 'terminal' : s.ask ? 'ask' : 'step');
  const links = [{ from: 'start', to: thread.start, label: null as string | null, dashed: false }, ...edges.map((e) => ({ from: e.from, to: e.to, label: edgeLabel(e, thread), dashed: e.kind !== 'next' }))];
  const queue: string[] = ['start', ...Object.keys(thread.on).map((ev) => `on.${ev}`)];
  for (const id of queue) boxes.get(id)!.layer = 0;
  while (queue.length) {
    const id = queue.shift()!;
    for (const l of links) if (l.from === id && boxes.get(l.to) && boxes.get(l.to)!.layer === Infinity) {
      boxes.get(l.to)!.layer = boxes.get(id)!.layer + 1;
      queue.push(l.to);
    }
  }
  const maxLayer = Math.max(0, ...[...boxes.values()].map((b) => (b.layer === Infinity ? 0 : b.layer)));
  for (const b of boxes.values()) if (b.layer === Infinity) b.layer = maxLayer + 1; // unreachable steps at the bottom
  const layers = new Map<number, Box[]>();
  for (const b of boxes.values()) layers.set(b.layer, [...(layers.get(b.layer) ?? []), b]);
  let y = 20;
  let width = 0;
  for (const layer of [...layers.keys()].sort((a, b) => a - b)) {
    const row = layers.get(layer)!;
    let x = 20;
    for (const b of row) {
      b.x = x;
      b.y = y;
      x += b.w + GAP_X;
    }
    width = Math.max(width, x);
    y += Math.max(...row.map((b) => b.h)) + GAP_Y;
  }
  const fill: Record<Box['kind'], string> = { start: '#e0e0e0', handler: '#fff3cd', step: '#e8f0fe', ask: '#e6f4ea', terminal: '#fce8e6' };
  const parts: string[] = [];
  for (const l of links) {
    const a = boxes.get(l.from);
    const b = boxes.get(l.to);
    if (!a || !b) continue;
    const [x1, y1, x2, y2] = [a.x + a.w / 2, a.y + a.h, b.x + b.w / 2, b.layer > a.layer ? b.y : b.y + b.h];
    const bend = b.layer > a.layer ? 0 : 60;
    const d = `M${x1},${y1} C${x1 + bend},${y1 + 40} ${x2 + bend},${y2 + (b.layer > a.layer ? -40 : 40)} ${x2},${y2}`;
    parts.push(`<path d="${d}" fill="none" stroke="#555" marker-end="url(#arrow)"${l.dashed ? ' stroke-dasharray="5,4"' : ''}/>`);
    if (l.label) parts.push(`<text x="${(x1 + x2) / 2 + bend / 2}" y="${(y1 + y2) / 2}" font-size="10" fill="#333" text-anchor="middle">${esc(l.label)}</text>`);
  }
  for (const b of boxes.values()) {
    const rx = b.kind === 'terminal' || b.kind === 'start' ? 14 : 3;
    parts.push(`<g class="node" data-id="${esc(b.id)}"><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="${rx}" fill="${fill[b.kind]}" stroke="#333"/>`);
    b.lines.forEach((line, i) => parts.push(`<text x="${b.x + PAD}" y="${b.y + PAD + (i + 1) * LINE_H - 4}" font-size="11" font-weight="${i === 0 ? 'bold' : 'normal'}">${esc(line)}</text>`));
    parts.push('</g>');
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width + 20}" height="${y}" font-family="monospace">`,
    `<title>thread ${esc(thread.id)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
