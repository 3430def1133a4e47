// Lays a thread graph out with ELK (layered, orthogonal edges, edge labels placed by ELK itself so none overlaps a node or another label).
// elk.bundled.js is the worker-less build: the CSP allows no blob: workers, and this chunk is loaded only when a graph is shown.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { GraphEdge, GraphNode, ThreadGraph } from './model.ts';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface PlacedNode extends Box {
  node: GraphNode | null;
  /** Set for a goto target that is not a step. */
  missing?: string;
}
export interface PlacedEdge {
  edge: GraphEdge;
  /** SVG path data of the routed edge. */
  d: string;
  label: (Box & { text: string }) | null;
}
export interface Layout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  /** Time elk.layout() took, in ms (shown in the page, read by the benchmark). */
  ms: number;
}

const elk = new ELK();

// Text boxes are measured with the fonts the stylesheet uses for them (graph.css), so ELK reserves the real size.
const NODE_TITLE_FONT = '600 13px system-ui, sans-serif';
const NODE_TEXT_FONT = '11px system-ui, sans-serif';
export const LABEL_FONT = '11px system-ui, sans-serif';
const canvas = document.createElement('canvas').getContext('2d')!;
function textWidth(text: string, font: string): number {
  canvas.font = font;
  return Math.ceil(canvas.measureText(text).width);
}

export const NODE_PAD = 10;
export const LINE = 15;
const LABEL_PAD_X = 5;
const LABEL_HEIGHT = 17;

export function nodeSize(n: GraphNode): { width: number; height: number } {
  const lines = n.text ? 3 : 2;
  const width = Math.max(textWidth(n.id, NODE_TITLE_FONT) + (n.start ? 48 : 0), textWidth(n.detail, NODE_TEXT_FONT), textWidth(n.text, NODE_TEXT_FONT)) + 2 * NODE_PAD + 14;
  return { width: Math.min(Math.max(width, 120), 320), height: lines * LINE + 2 * NODE_PAD + 2 };
}

const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '48',
  'elk.layered.spacing.edgeNodeBetweenLayers': '18',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '10',
  'elk.spacing.nodeNode': '26',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '10',
  'elk.spacing.edgeLabel': '3',
  'elk.spacing.labelNode': '6',
  // Fewer crossing-minimisation sweeps than ELK's default 7: measured 2-3x faster, and the drawings read the same.
  'elk.layered.thoroughness': '2',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.mergeEdges': 'false',
  // Labels become dummy nodes in their own layer: ELK then keeps them clear of nodes and of each other.
  'elk.edgeLabels.placement': 'CENTER',
  'elk.edgeLabels.inline': 'false',
  'elk.padding': '[top=24,left=24,bottom=24,right=24]',
};

function pathOf(e: ElkExtendedEdge): string {
  const parts: string[] = [];
  for (const s of e.sections ?? []) {
    parts.push(`M${s.startPoint.x},${s.startPoint.y}`);
    for (const b of s.bendPoints ?? []) parts.push(`L${b.x},${b.y}`);
    parts.push(`L${s.endPoint.x},${s.endPoint.y}`);
  }
  return parts.join(' ');
}

export async function layoutGraph(graph: ThreadGraph): Promise<Layout> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const children: ElkNode[] = graph.nodes.map((n) => ({ id: n.id, ...nodeSize(n) }));
  for (const m of graph.missing) children.push({ id: m, width: Math.max(textWidth(m, NODE_TITLE_FONT) + 2 * NODE_PAD, 110), height: 2 * LINE + 2 * NODE_PAD });
  const edges: ElkExtendedEdge[] = graph.edges.map((e) => ({
    id: e.id,
    sources: [e.from],
    targets: [e.to],
    labels: e.label ? [{ id: `${e.id}#label`, text: e.label, width: textWidth(e.label, LABEL_FONT) + 2 * LABEL_PAD_X, height: LABEL_HEIGHT }] : [],
  }));
  const started = performance.now();
  const out: ElkNode = await elk.layout({ id: 'root', layoutOptions: LAYOUT_OPTIONS, children, edges });
  const ms = performance.now() - started;
  const edgeById = new Map(graph.edges.map((e) => [e.id, e]));
  return {
    width: out.width ?? 0,
    height: out.height ?? 0,
    ms,
    nodes: (out.children ?? []).map((c) => ({
      x: c.x ?? 0,
      y: c.y ?? 0,
      width: c.width ?? 0,
      height: c.height ?? 0,
      node: byId.get(c.id) ?? null,
      ...(byId.has(c.id) ? {} : { missing: c.id }),
    })),
    edges: ((out.edges ?? []) as ElkExtendedEdge[]).map((e) => {
      const l = e.labels?.[0];
      return {
        edge: edgeById.get(e.id)!,
        d: pathOf(e),
        label: l ? { x: l.x ?? 0, y: l.y ?? 0, width: l.width ?? 0, height: l.height ?? 0, text: l.text ?? '' } : null,
      };
    }),
  };
}
