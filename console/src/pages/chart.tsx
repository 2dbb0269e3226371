import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  /** Rates are drawn on their own 0–100 % axis on the right. */
  rate?: boolean;
  color: string;
}

/**
 * A daily time series drawn by uPlot (canvas, ~45 KB, loaded only with the reports page). Clicking a day calls
 * `onPick` with it, so every point of a chart opens the conversations behind it.
 */
export function DailyChart({ days, series, onPick, label }: { days: string[]; series: ChartSeries[]; onPick: (day: string) => void; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const hasRate = series.some((s) => s.rate);
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: 220,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'UTC'),
        scales: { x: { time: true }, count: { range: (_u, _min, max) => [0, Math.max(1, max)] }, rate: { range: [0, 1] } },
        axes: [
          {},
          { scale: 'count', label: 'conversations' },
          ...(hasRate ? [{ scale: 'rate', side: 1, grid: { show: false }, values: (_u: uPlot, ticks: number[]) => ticks.map((v) => `${Math.round(v * 100)} %`) }] : []),
        ],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, scale: s.rate ? 'rate' : 'count', value: (_u: uPlot, v: number | null) => (v === null ? '–' : s.rate ? `${Math.round(v * 100)} %` : String(v)) }))],
        cursor: { drag: { x: false, y: false } },
      },
      [xs, ...series.map((s) => s.values)],
      el,
    );
    const pick = () => {
      const i = plot.cursor.idx;
      if (i !== null && i !== undefined && days[i]) onPick(days[i]!);
    };
    plot.over.addEventListener('click', pick);
    const resize = () => plot.setSize({ width: Math.max(280, el.clientWidth), height: 220 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [days, series]);
  return <div class="chart" ref={box} role="img" aria-label={label} />;
}
