// Mounts an Observable Plot chart (an SVG element Plot builds) into the page at the width of its card, under the studio's CSP.
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * `make(width)` builds the chart; it runs again when `deps` or the card's width change. Plot puts a `<style>` element
 * (its default styles) in every chart, which the CSP would refuse (no nonce): it is removed before the chart enters
 * the page, and conversations.css carries the same rules for the `tg-plot` class instead.
 */
export function PlotFigure({ make, deps, label }: { make: (width: number) => Element; deps: unknown[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Whole pixels only, so a sub-pixel change of the layout does not redraw the chart.
    const measure = () => setWidth(Math.floor(el.clientWidth));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    if (width <= 0) return;
    const chart = make(width);
    for (const style of chart.querySelectorAll('style')) style.remove();
    ref.current?.replaceChildren(chart);
    return () => chart.remove();
  }, [width, ...deps]);
  return <div ref={ref} class="chart-figure" role="img" aria-label={label} />;
}
