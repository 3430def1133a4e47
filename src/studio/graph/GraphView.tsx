// The thread graph as SVG: ELK's boxes and routes drawn as they are, with pan (drag), zoom (wheel, buttons), fit, selection and lint markers.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Issue } from '../api.ts';
import { layoutGraph, LINE, NODE_PAD, type Layout } from './layout.ts';
import type { GraphEdge, ThreadGraph } from './model.ts';

/** Classes laid over nodes and edges: a simulated turn's path, or branch coverage. */
export interface Paint {
  nodes: Map<string, string>;
  edges: Map<string, string>;
}

interface Props {
  graph: ThreadGraph;
  issues: Issue[];
  selected: string | null;
  onSelect: (id: string | null) => void;
  paint?: Paint;
  /** Clicking an edge or its label; absent: edges are not clickable. */
  onEdgeSelect?: (edge: GraphEdge) => void;
  selectedEdge?: string | null;
  /** A node to bring into view when it changes (the end of a simulated turn), unless it is visible already. */
  focus?: string | null;
}

interface View {
  x: number;
  y: number;
  k: number;
}

const KIND_LABEL: Record<string, string> = {
  say: 'say',
  ask: 'ask',
  route: 'route',
  lookup: 'lookup',
  generate: 'generate',
  handoff: 'handoff',
  request_login: 'login',
  request_form: 'form',
  end: 'end',
  tag: 'tag',
  set: 'set',
  handler: 'on',
};

// Which findings mark a node, and how: errors red, warnings amber.
function findingsByStep(issues: Issue[]): Map<string, Issue[]> {
  const out = new Map<string, Issue[]>();
  for (const i of issues) {
    const step = i.step ?? (i.field?.startsWith('on.') ? `on.${i.field.split('.')[1]}` : undefined);
    if (!step) continue;
    out.set(step, [...(out.get(step) ?? []), i]);
  }
  return out;
}

export function GraphView({ graph, issues, selected, onSelect, paint, onEdgeSelect, selectedEdge, focus }: Props) {
  const [layout, setLayout] = useState<Layout | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [view, setView] = useState<View>({ x: 0, y: 0, k: 1 });
  const svgRef = useRef<SVGSVGElement>(null);
  const drag = useRef<{ px: number; py: number; x: number; y: number } | null>(null);
  const fitted = useRef(false);
  // Only what changes the drawing: a keystroke inside a step's YAML that leaves its summary alone costs no layout.
  const key = useMemo(() => JSON.stringify([graph.nodes.map((n) => [n.id, n.kind, n.detail, n.text, n.start]), graph.edges, graph.missing]), [graph]);

  useEffect(() => {
    let live = true;
    layoutGraph(graph)
      .then((l) => {
        if (!live) return;
        setLayout(l);
        setFailed(null);
      })
      .catch((err: unknown) => live && setFailed(String((err as Error)?.message ?? err)));
    return () => {
      live = false;
    };
  }, [key]);

  const fit = (l: Layout | null = layout, readable = false) => {
    const svg = svgRef.current;
    if (!svg || !l) return;
    const { width, height } = svg.getBoundingClientRect();
    const k = Math.min(width / Math.max(l.width, 1), height / Math.max(l.height, 1), 1.25);
    // A big thread fitted whole is too small to read: the first view then starts at the start step, at a readable size.
    const start = l.nodes.find((p) => p.node?.start);
    if (readable && k < 0.6 && start) {
      const rk = 0.8;
      setView({ k: rk, x: 8, y: height / 2 - (start.y + start.height / 2) * rk });
      return;
    }
    setView({ k, x: (width - l.width * k) / 2, y: (height - l.height * k) / 2 });
  };
  // Fit once when the first layout arrives; later edits keep the admin's pan and zoom.
  useEffect(() => {
    if (layout && !fitted.current) {
      fitted.current = true;
      fit(layout, true);
    }
  }, [layout]);

  useEffect(() => {
    const svg = svgRef.current;
    const p = focus && layout ? layout.nodes.find((n) => n.node?.id === focus) : undefined;
    if (!svg || !p) return;
    const { width, height } = svg.getBoundingClientRect();
    setView((v) => {
      const x = v.x + p.x * v.k;
      const y = v.y + p.y * v.k;
      const inside = x >= 0 && y >= 0 && x + p.width * v.k <= width && y + p.height * v.k <= height;
      // Too small to read (a big thread fitted whole) counts as out of view: zoom in to a readable size.
      const k = v.k < 0.6 ? 0.9 : v.k;
      return inside && k === v.k ? v : { k, x: width / 2 - (p.x + p.width / 2) * k, y: height / 2 - (p.y + p.height / 2) * k };
    });
  }, [focus, layout]);

  const zoomAt = (factor: number, cx: number, cy: number) =>
    setView((v) => {
      const k = Math.min(Math.max(v.k * factor, 0.08), 4);
      const f = k / v.k;
      return { k, x: cx - (cx - v.x) * f, y: cy - (cy - v.y) * f };
    });

  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const r = svgRef.current!.getBoundingClientRect();
    zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  };
  useEffect(() => {
    // A non-passive listener: preact's onWheel is passive in Chromium, and the page must not scroll while zooming.
    const svg = svgRef.current;
    svg?.addEventListener('wheel', onWheel, { passive: false });
    return () => svg?.removeEventListener('wheel', onWheel);
  });

  const marks = useMemo(() => findingsByStep(issues), [issues]);

  if (failed) return <div class="graph-message">The layout failed: {failed}</div>;
  return (
    <div class="graph">
      <div class="graph-tools" role="toolbar" aria-label="Graph view">
        <button type="button" title="Zoom in" onClick={() => zoomAt(1.25, (svgRef.current?.clientWidth ?? 0) / 2, (svgRef.current?.clientHeight ?? 0) / 2)}>
          +
        </button>
        <button type="button" title="Zoom out" onClick={() => zoomAt(0.8, (svgRef.current?.clientWidth ?? 0) / 2, (svgRef.current?.clientHeight ?? 0) / 2)}>
          −
        </button>
        <button type="button" title="Fit the whole thread" onClick={() => fit()}>
          Fit
        </button>
        {layout && (
          <span class="graph-stats" data-layout-ms={layout.ms.toFixed(1)}>
            {graph.nodes.filter((n) => n.kind !== 'handler').length} steps · layout {Math.round(layout.ms)} ms
          </span>
        )}
      </div>
      <Legend />
      <svg
        ref={svgRef}
        class={`graph-canvas${drag.current ? ' dragging' : ''}`}
        data-testid="graph"
        onPointerDown={(e) => {
          // Nodes and clickable edges take their own clicks; pointer capture would retarget them to the canvas.
          if ((e.target as Element).closest('.node, .edge-hit, .edge-label.clickable')) return;
          drag.current = { px: e.clientX, py: e.clientY, x: view.x, y: view.y };
          (e.currentTarget as Element).setPointerCapture(e.pointerId);
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (d) setView((v) => ({ ...v, x: d.x + e.clientX - d.px, y: d.y + e.clientY - d.py }));
        }}
        onPointerUp={(e) => {
          const d = drag.current;
          drag.current = null;
          // A click on the background (no drag) clears the selection.
          if (d && Math.abs(e.clientX - d.px) + Math.abs(e.clientY - d.py) < 4) onSelect(null);
        }}
      >
        <defs>
          {(['next', 'default', 'on_fail', 'handler'] as const).map((k) => (
            <marker id={`arrow-${k}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" class={`arrow arrow-${k}`}>
              <path d="M0,0 L10,5 L0,10 z" />
            </marker>
          ))}
        </defs>
        {!layout && (
          <text x="20" y="30" class="graph-wait">
            Laying out…
          </text>
        )}
        {layout && (
          <g transform={`translate(${view.x},${view.y}) scale(${view.k})`}>
            {layout.edges.map((e) => (
              <g key={e.edge.id} class="edge-group" data-edge-id={e.edge.id} onClick={onEdgeSelect ? () => onEdgeSelect(e.edge) : undefined}>
                <path
                  d={e.d}
                  class={`edge edge-${e.edge.kind}${selected && (e.edge.from === selected || e.edge.to === selected) ? ' edge-hot' : ''}${paint?.edges.get(e.edge.id) ? ` ${paint.edges.get(e.edge.id)}` : ''}${selectedEdge === e.edge.id ? ' edge-selected' : ''}`}
                  marker-end={`url(#arrow-${e.edge.kind})`}
                >
                  <title>{`${e.edge.from} → ${e.edge.to}: ${e.edge.title}`}</title>
                </path>
                {/* A wide transparent stroke, so a thin edge is easy to click. */}
                {onEdgeSelect && <path d={e.d} class="edge-hit" />}
              </g>
            ))}
            {layout.nodes.map((p) => {
              if (!p.node) {
                return (
                  <g key={p.missing} class="node node-missing" transform={`translate(${p.x},${p.y})`} data-step={p.missing}>
                    <rect width={p.width} height={p.height} rx="6" />
                    <text x={NODE_PAD} y={NODE_PAD + 12} class="node-title">
                      {p.missing}
                    </text>
                    <text x={NODE_PAD} y={NODE_PAD + 12 + LINE} class="node-detail">
                      no such step
                    </text>
                  </g>
                );
              }
              const n = p.node;
              const found = marks.get(n.id) ?? [];
              const level = found.some((f) => f.severity !== 'warning') ? 'error' : found.length ? 'warning' : null;
              return (
                <g
                  key={n.id}
                  class={`node kind-${n.kind}${selected === n.id ? ' selected' : ''}${level ? ` has-${level}` : ''}${paint?.nodes.get(n.id) ? ` ${paint.nodes.get(n.id)}` : ''}`}
                  transform={`translate(${p.x},${p.y})`}
                  data-step={n.id}
                  data-kind={n.kind}
                  role="button"
                  tabIndex={0}
                  aria-label={`step ${n.id}: ${n.detail}`}
                  onClick={() => onSelect(n.id)}
                  onKeyDown={(e) => e.key === 'Enter' && onSelect(n.id)}
                >
                  <title>{[`${n.id}: ${n.detail}`, ...found.map((f) => `${f.severity === 'warning' ? 'warning' : 'error'} ${f.code}: ${f.message}`)].join('\n')}</title>
                  <rect width={p.width} height={p.height} rx={n.kind === 'handler' ? p.height / 2 : 6} class="node-box" />
                  <rect width="5" height={p.height - 8} x="0" y="4" class="node-stripe" />
                  <text x={NODE_PAD + 4} y={NODE_PAD + 12} class="node-title">
                    {n.id}
                  </text>
                  {n.start && (
                    <g transform={`translate(${p.width - 50},${NODE_PAD})`} class="start-badge">
                      <rect width="40" height="15" rx="7" />
                      <text x="20" y="11">
                        start
                      </text>
                    </g>
                  )}
                  <text x={NODE_PAD + 4} y={NODE_PAD + 12 + LINE} class="node-detail">
                    <tspan class="node-kind">{KIND_LABEL[n.kind]}</tspan>
                    {n.detail.startsWith(KIND_LABEL[n.kind] ?? '\0') ? n.detail.slice(KIND_LABEL[n.kind]!.length) : ` · ${n.detail}`}
                  </text>
                  {n.text && (
                    <text x={NODE_PAD + 4} y={NODE_PAD + 12 + 2 * LINE} class="node-text">
                      {n.text}
                    </text>
                  )}
                  {level && (
                    <g transform={`translate(${p.width - 8},-8)`} class={`mark mark-${level}`} data-findings={found.map((f) => f.code).join(' ')}>
                      <circle r="9" cx="0" cy="8" />
                      <text x="0" y="12">
                        {found.length}
                      </text>
                    </g>
                  )}
                </g>
              );
            })}
            {layout.edges.map(
              (e) =>
                e.label && (
                  <g
                    key={`${e.edge.id}#l`}
                    class={`edge-label label-${e.edge.kind}${paint?.edges.get(e.edge.id) ? ` ${paint.edges.get(e.edge.id)}` : ''}${selectedEdge === e.edge.id ? ' edge-selected' : ''}${onEdgeSelect ? ' clickable' : ''}`}
                    transform={`translate(${e.label.x},${e.label.y})`}
                    data-edge={e.edge.id}
                    onClick={onEdgeSelect ? () => onEdgeSelect(e.edge) : undefined}
                  >
                    <title>{e.edge.title}</title>
                    <rect width={e.label.width} height={e.label.height} rx="3" />
                    <text x={e.label.width / 2} y={e.label.height - 5}>
                      {e.label.text}
                    </text>
                  </g>
                ),
            )}
          </g>
        )}
      </svg>
    </div>
  );
}

function Legend() {
  return (
    <div class="legend" aria-label="Legend">
      <span class="lg lg-next">branch</span>
      <span class="lg lg-default">default</span>
      <span class="lg lg-on_fail">onFail</span>
      <span class="lg lg-handler">on handler</span>
    </div>
  );
}
