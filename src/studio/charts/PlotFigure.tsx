// Mounts an Observable Plot chart (an SVG element Plot builds) into the page, under the studio's CSP.
import { useEffect, useRef } from 'preact/hooks';

/**
 * `make` builds the chart; it runs again when `deps` change. Plot puts a `<style>` element (its default styles) in
 * every chart, which the CSP would refuse (no nonce): it is removed before the chart enters the page, and
 * conversations.css carries the same rules for the `tg-plot` class instead.
 */
export function PlotFigure({ make, deps, label }: { make: () => Element; deps: unknown[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = make();
    for (const style of chart.querySelectorAll('style')) style.remove();
    ref.current?.replaceChildren(chart);
    return () => chart.remove();
  }, deps);
  return <div ref={ref} class="chart-figure" role="img" aria-label={label} />;
}
