// biome-ignore-all lint/correctness/useJsxKeyInIterable: rows are re-rendered whole from each reply; no item state to keep
// biome-ignore-all lint/correctness/useExhaustiveDependencies: the chart is rebuilt when its data, theme or language change
/**
 * A chart drawn by uPlot with its data one click away as a table. The canvas carries a text
 * summary for screen readers; the table toggle is the keyboard and screen-reader view of every
 * point. Colours come from the console's CSS variables, so the chart follows light and dark.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { lang, t } from './i18n';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** A CSS custom property of the console theme, e.g. `--accent`. */
  color: string;
  kind?: 'line' | 'bars' | 'step';
  /** Second y axis on the right. */
  right?: boolean;
}

export interface ChartProps {
  title: string;
  /** One label per point along x (dates, turns, rule ids). */
  x: string[];
  series: ChartSeries[];
  /** Fixed top of the left axis (e.g. 100 for scores); otherwise fits the data. */
  max?: number;
  /** How values of the left axis read (e.g. an emotion name for a level). */
  format?: (v: number) => string;
  /** How values of the right axis read. */
  formatRight?: (v: number) => string;
  height?: number;
  testId?: string;
}

const num = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(1);

/** One sentence per series: first and last value, lowest and highest. */
export function chartSummary(
  p: Pick<ChartProps, 'title' | 'x' | 'series' | 'format' | 'formatRight'>,
): string {
  const parts = p.series.map((s) => {
    const f = (s.right ? p.formatRight : p.format) ?? num;
    const vals = s.values.filter((v): v is number => v !== null);
    if (!vals.length) return `${s.label}: —`;
    return `${s.label}: ${f(vals[0]!)} → ${f(vals[vals.length - 1]!)} (${f(Math.min(...vals))}–${f(Math.max(...vals))})`;
  });
  const span = p.x.length ? `${p.x[0]} – ${p.x[p.x.length - 1]}` : '';
  return `${p.title}. ${span}. ${parts.join('; ')}`;
}

function themeColour(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function Chart(p: ChartProps) {
  const [table, setTable] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const dark = document.documentElement.classList.contains('dark');
  useEffect(() => {
    const el = box.current;
    if (table || !el) return;
    const fg = themeColour('--fg');
    const grid = themeColour('--line');
    const n = p.x.length;
    const axis = (format?: (v: number) => string) => ({
      stroke: fg,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      size: 56,
      ...(format ? { values: (_u: uPlot, splits: number[]) => splits.map(format) } : {}),
    });
    const u = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: p.height ?? 170,
        legend: { show: false },
        cursor: { points: { size: 6 } },
        scales: {
          x: { time: false, range: [-0.5, Math.max(0.5, n - 0.5)] },
          y: { range: (_u, _min, max) => [0, p.max ?? Math.max(1, Math.ceil(max * 1.1))] },
          y2: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
        },
        axes: [
          {
            ...axis(),
            values: (_u: uPlot, splits: number[]) =>
              splits.map((v) => (Number.isInteger(v) ? (p.x[v] ?? '') : '')),
            size: 36,
          },
          { ...axis(p.format), scale: 'y' },
          ...(p.series.some((s) => s.right)
            ? [{ ...axis(p.formatRight), scale: 'y2', side: 1 as const }]
            : []),
        ],
        series: [
          {},
          ...p.series.map((s) => {
            const colour = themeColour(s.color);
            return {
              label: s.label,
              scale: s.right ? 'y2' : 'y',
              stroke: colour,
              width: 2,
              ...(s.kind === 'bars'
                ? {
                    fill: `${colour}99`,
                    paths: uPlot.paths.bars!({ size: [0.6, 40] }),
                    points: { show: false },
                  }
                : s.kind === 'step'
                  ? { paths: uPlot.paths.stepped!({ align: 1 }) }
                  : {}),
            };
          }),
        ],
      },
      [p.x.map((_, i) => i), ...p.series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() =>
      u.setSize({ width: Math.max(200, el.clientWidth), height: u.height }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
    };
  }, [table, dark, lang.value, JSON.stringify(p.x), JSON.stringify(p.series.map((s) => s.values))]);
  const summary = chartSummary(p);
  const cell = (s: ChartSeries, v: number | null | undefined) =>
    v === null || v === undefined ? '—' : ((s.right ? p.formatRight : p.format) ?? num)(v);
  return (
    <figure class="chart" data-testid={p.testId}>
      <figcaption>
        <span>{p.title}</span>
        <button type="button" class="link" aria-pressed={table} onClick={() => setTable(!table)}>
          {t('showTable')}
        </button>
      </figcaption>
      {table ? (
        <div class="scroll">
          <table class="list">
            <caption class="sr-only">{p.title}</caption>
            <thead>
              <tr>
                <th scope="col">{t('point')}</th>
                {p.series.map((s) => (
                  <th scope="col">{s.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {p.x.map((x, i) => (
                <tr>
                  <th scope="row">{x}</th>
                  {p.series.map((s) => (
                    <td>{cell(s, s.values[i])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <div class="plot" role="img" aria-label={summary} ref={box} />
      )}
      <ul class="legend" aria-hidden="true">
        {p.series.map((s) => (
          <li>
            <i style={{ background: `var(${s.color})` }} /> {s.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}
