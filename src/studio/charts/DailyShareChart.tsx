// The trusted share of customer messages per UTC day (the report's byDay), as bars drawn by Observable Plot, with every day's numbers in a table.
import { barY, plot, ruleY, tickY } from '@observablehq/plot';
import type { ReportDay } from '../conversations/conversation-types.ts';
import { PlotFigure } from './PlotFigure.tsx';

const pct = (share: number) => Math.round(share * 1000) / 10;

/** A day label every few days, so a month of bars keeps readable ticks. */
function tickDays(days: ReportDay[]): string[] {
  const step = Math.max(1, Math.ceil(days.length / 10));
  return days.filter((_, i) => i % step === 0).map((d) => d.day);
}

export function DailyShareChart({ days }: { days: ReportDay[] }) {
  const withMessages = days.filter((d) => d.customerMessages > 0);
  const without = days.filter((d) => d.customerMessages === 0);
  const make = (width: number) =>
    plot({
      className: 'tg-plot',
      width,
      height: 260,
      marginLeft: 48,
      marginBottom: 36,
      x: { type: 'band', label: 'UTC day', domain: days.map((d) => d.day), ticks: tickDays(days), tickFormat: (d: string) => d.slice(5), padding: 0.2 },
      y: { label: 'trusted share of customer messages (%)', domain: [0, 100], grid: true },
      marks: [
        barY(withMessages, {
          x: 'day',
          y: (d: ReportDay) => pct(d.trustedShare),
          fill: '#1f9d55',
          title: (d: ReportDay) => `${d.day}: ${pct(d.trustedShare)}% trusted (${d.trustedMessages} of ${d.customerMessages} customer messages)`,
        }),
        // A 0% bar has no height: an orange mark on the axis shows a day whose messages were all untrusted.
        tickY(
          withMessages.filter((d) => d.trustedMessages === 0),
          { x: 'day', y: 0, stroke: '#c2410c', strokeWidth: 4, title: (d: ReportDay) => `${d.day}: 0% trusted (0 of ${d.customerMessages} customer messages)` },
        ),
        // Days without customer messages have no share at all: a grey mark says so.
        tickY(without, { x: 'day', y: 0, stroke: '#9aa1ad', strokeWidth: 3, title: (d: ReportDay) => `${d.day}: no customer messages` }),
        ruleY([0], { stroke: '#8a93a3' }),
      ],
    });
  return (
    <section class="chart-card wide" data-testid="chart-by-day">
      <h3>Trusted share of customer messages per day</h3>
      <p class="hint">Customer messages of the conversations started each UTC day, and the share of them sent while authenticated by a valid token. Orange marks: messages, none trusted; grey marks: no customer messages that day.</p>
      <PlotFigure make={make} deps={[JSON.stringify(days)]} label={`Trusted share per day over ${days.length} days`} />
      <details>
        <summary>Numbers</summary>
        <table data-testid="numbers-by-day">
          <thead>
            <tr>
              <th>day</th>
              <th>conversations</th>
              <th>customer messages</th>
              <th>trusted</th>
              <th>trusted share</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day} data-key={d.day} data-conversations={d.conversations} data-customer={d.customerMessages} data-trusted={d.trustedMessages}>
                <td>{d.day}</td>
                <td class="num">{d.conversations}</td>
                <td class="num">{d.customerMessages}</td>
                <td class="num">{d.trustedMessages}</td>
                <td class="num">{d.customerMessages ? `${pct(d.trustedShare)}%` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
