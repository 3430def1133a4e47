// A horizontal bar chart of counts (conversations by scenario, auth status, onboarding type), drawn by Observable Plot, with its numbers in a table.
import { barX, plot, ruleX, text } from '@observablehq/plot';
import { PlotFigure } from './PlotFigure.tsx';

export interface Bar {
  key: string;
  label: string;
  value: number;
  color: string;
}

const ROW = 30;

export function BarChart({ id, title, hint, bars, unit }: { id: string; title: string; hint?: string; bars: Bar[]; unit: string }) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  const make = (width: number) =>
    plot({
      className: 'tg-plot',
      width,
      height: bars.length * ROW + 44,
      marginLeft: 104,
      marginRight: 40,
      x: { label: unit, grid: true, domain: [0, Math.max(1, max)], ticks: Math.max(1, Math.min(max, 6)), tickFormat: 'd' },
      y: { label: null, domain: bars.map((b) => b.label), padding: 0.28 },
      marks: [
        // fill holds CSS colours, so Plot's colour scale is the identity; title becomes each bar's <title> tooltip.
        barX(bars, { x: 'value', y: 'label', fill: 'color', title: (b: Bar) => `${b.label}: ${b.value} ${unit}` }),
        text(bars, { x: 'value', y: 'label', text: (b: Bar) => String(b.value), dx: 5, textAnchor: 'start', fontSize: 11, fill: '#3b4350' }),
        ruleX([0], { stroke: '#8a93a3' }),
      ],
    });
  return (
    <section class="chart-card" data-testid={`chart-${id}`}>
      <h3>{title}</h3>
      {hint && <p class="hint">{hint}</p>}
      <PlotFigure make={make} deps={[JSON.stringify(bars)]} label={`${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}`} />
      <details>
        <summary>Numbers</summary>
        <table data-testid={`numbers-${id}`}>
          <thead>
            <tr>
              <th>{title.split(' by ')[1] ?? 'value'}</th>
              <th>{unit}</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((b) => (
              <tr key={b.key} data-key={b.key} data-count={b.value}>
                <td>{b.label}</td>
                <td class="num">{b.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
