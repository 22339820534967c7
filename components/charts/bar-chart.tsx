/**
 * A stacked bar chart rendered on the server: SVG bars with HTML axis labels, a legend, and the
 * same numbers as a real <table> behind a "Show data as a table" disclosure.
 *
 * Hand-written rather than a charting library because it is small (one file, no dependency),
 * ships no client JavaScript (a server component; hover titles come from SVG <title>), and its
 * accessibility is ours to get right: the SVG is role="img" with a summary as its aria-label, and
 * the table carries every value for screen readers and anyone who wants exact numbers.
 *
 * The SVG stretches to its box (preserveAspectRatio="none") so it fits any width without
 * overflowing a phone screen; the text is HTML beside it, so labels stay crisp and legible at every
 * size instead of scaling with the drawing. Colours are ≥ 4.5:1 against white (WCAG 1.4.11 needs
 * 3:1 for graphics) and stacked segments are split by a white gap.
 */
import type { CSSProperties } from "react";

export interface BarSeries {
  key: string;
  label: string;
  /** A colour with at least 3:1 contrast against white. */
  color: string;
  /** One value per category. */
  values: number[];
}

export interface BarChartProps {
  /** Used in the summary and the table caption, e.g. "Tokens issued per day". */
  title: string;
  /** One per bar, e.g. YYYY-MM-DD days, oldest first. */
  categories: string[];
  series: BarSeries[];
  /** What is counted, plural, for the summary: "tokens issued". */
  unit: string;
  /** Shown instead of the chart when every value is zero. */
  emptyMessage: string;
  /** The heading of the first table column. */
  categoryLabel?: string;
  /** How to show a category on the axis and in the table. */
  formatCategory?: (category: string) => string;
  testId?: string;
}

const number = (value: number) => value.toLocaleString("en");

/** A step of 1, 2 or 5 × 10ⁿ giving about four gridlines up to `max`. */
function niceScale(max: number, intervals = 4): { top: number; step: number; ticks: number[] } {
  if (max <= 0) return { top: 1, step: 1, ticks: [0, 1] };
  const rough = Math.max(1, max / intervals);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough)!;
  const top = Math.ceil(max / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step);
  return { top, step, ticks };
}

const monthDay = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", timeZone: "UTC" });

/** "2025-03-07" → "Mar 7"; anything else unchanged. */
function shortDay(day: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? monthDay.format(new Date(`${day}T00:00:00Z`)) : day;
}

/** Every seventh category, counted back from the last, so the newest always has a label. */
function labelledIndexes(count: number): number[] {
  const step = count > 14 ? 7 : count > 7 ? 2 : 1;
  const indexes: number[] = [];
  for (let index = count - 1; index >= 0; index -= step) indexes.unshift(index);
  return indexes;
}

/** Keeps edge labels inside the chart: the first aligns left, the last right, others centre. */
function labelPosition(index: number, count: number): CSSProperties {
  const centre = ((index + 0.5) / count) * 100;
  if (centre > 88) return { right: `${100 - ((index + 1) / count) * 100}%` };
  if (centre < 12) return { left: `${(index / count) * 100}%` };
  return { left: `${centre}%`, transform: "translateX(-50%)" };
}

function summaryOf({
  title,
  categories,
  series,
  unit,
  formatCategory = (category: string) => category,
}: BarChartProps): string {
  const totals = categories.map((_, index) => series.reduce((sum, item) => sum + (item.values[index] ?? 0), 0));
  const total = totals.reduce((sum, value) => sum + value, 0);
  const range = categories.length
    ? `${formatCategory(categories[0]!)} to ${formatCategory(categories[categories.length - 1]!)}`
    : "";
  if (total === 0) return `${title}, ${range}: none.`;
  const peak = totals.indexOf(Math.max(...totals));
  const parts =
    series.length > 1
      ? ` By kind: ${series.map((item) => `${item.label} ${number(item.values.reduce((sum, value) => sum + value, 0))}`).join(", ")}.`
      : "";
  return `${title}, ${range}: ${number(total)} ${unit} in total; busiest ${formatCategory(categories[peak]!)} with ${number(totals[peak]!)}.${parts}`;
}

export function StackedBarChart(props: BarChartProps) {
  const { title, categories, series, emptyMessage, categoryLabel = "Day", formatCategory = shortDay, testId } = props;
  const totals = categories.map((_, index) => series.reduce((sum, item) => sum + (item.values[index] ?? 0), 0));
  const total = totals.reduce((sum, value) => sum + value, 0);

  if (total === 0) {
    return (
      <div
        data-testid={testId}
        data-empty="true"
        className="rounded-md border border-dashed border-slate-300 px-4 py-10 text-center text-sm text-slate-600"
      >
        {emptyMessage}
      </div>
    );
  }

  const { top, ticks } = niceScale(Math.max(...totals));
  const count = categories.length;
  const slot = 10;
  const barWidth = 7;
  const height = 100;
  const y = (value: number) => height - (value / top) * height;

  return (
    <div data-testid={testId} className="min-w-0">
      <div className="flex pt-2">
        {/* Exactly as tall as the drawing, so each label sits on its gridline. */}
        <div aria-hidden="true" className="relative h-44 w-10 shrink-0 text-right text-xs text-slate-600 sm:h-56">
          {ticks.map((tick) => (
            <span
              key={tick}
              className="absolute right-2 translate-y-1/2 leading-none"
              style={{ bottom: `${(tick / top) * 100}%` }}
            >
              {number(tick)}
            </span>
          ))}
        </div>
        <div className="min-w-0 flex-1">
          <svg
            role="img"
            aria-label={summaryOf({ ...props, formatCategory })}
            viewBox={`0 0 ${count * slot} ${height}`}
            preserveAspectRatio="none"
            className="block h-44 w-full overflow-visible sm:h-56"
          >
            {ticks.map((tick) => (
              <line
                key={tick}
                x1={0}
                x2={count * slot}
                y1={y(tick)}
                y2={y(tick)}
                stroke={tick === 0 ? "#64748b" : "#e2e8f0"}
                strokeWidth={1}
                vectorEffect="non-scaling-stroke"
              />
            ))}
            {categories.map((category, index) => {
              let base = 0;
              return (
                <g key={category}>
                  {series.map((item) => {
                    const value = item.values[index] ?? 0;
                    if (value === 0) return null;
                    const top = y(base + value);
                    const bottom = y(base);
                    base += value;
                    return (
                      <rect
                        key={item.key}
                        x={index * slot + (slot - barWidth) / 2}
                        width={barWidth}
                        y={top}
                        height={Math.max(bottom - top, 0.4)}
                        fill={item.color}
                        stroke="#ffffff"
                        strokeWidth={1}
                        vectorEffect="non-scaling-stroke"
                      >
                        <title>{`${formatCategory(category)} · ${item.label}: ${number(value)}`}</title>
                      </rect>
                    );
                  })}
                </g>
              );
            })}
          </svg>
          <div aria-hidden="true" className="relative mt-1 h-4 text-xs leading-4 text-slate-600">
            {labelledIndexes(count).map((index, position, all) => (
              <span
                key={index}
                // On a phone, every other label (still including the newest), so they never collide.
                className={`absolute whitespace-nowrap ${(all.length - 1 - position) % 2 === 1 ? "hidden sm:inline" : ""}`}
                style={labelPosition(index, count)}
              >
                {formatCategory(categories[index]!)}
              </span>
            ))}
          </div>
        </div>
      </div>

      <ul className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-sm text-slate-800" aria-label="Legend">
        {series.map((item) => (
          <li key={item.key} className="flex items-center gap-1.5">
            <span
              aria-hidden="true"
              className="inline-block size-3 shrink-0 rounded-sm"
              style={{ backgroundColor: item.color }}
            />
            <span>{item.label}</span>
            <span className="text-slate-600">({number(item.values.reduce((sum, value) => sum + value, 0))})</span>
          </li>
        ))}
      </ul>

      <details className="mt-3 text-sm">
        <summary className="cursor-pointer font-medium text-indigo-700 hover:underline">Show data as a table</summary>
        <div
          className="mt-2 max-h-96 overflow-auto rounded-md border border-slate-200"
          tabIndex={0}
          role="region"
          aria-label={`${title}: data`}
        >
          <table className="w-full text-left text-sm tabular-nums" data-testid={testId ? `${testId}-table` : undefined}>
            <caption className="sr-only">{title}</caption>
            <thead className="sticky top-0 bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-2">
                  {categoryLabel}
                </th>
                {series.length > 1
                  ? series.map((item) => (
                      <th key={item.key} scope="col" className="px-3 py-2 text-right">
                        {item.label}
                      </th>
                    ))
                  : null}
                <th scope="col" className="px-3 py-2 text-right">
                  Total
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {categories.map((category, index) => (
                <tr key={category} data-category={category}>
                  <th scope="row" className="whitespace-nowrap px-3 py-1.5 font-normal text-slate-800">
                    <time dateTime={category}>{category}</time>
                  </th>
                  {series.length > 1
                    ? series.map((item) => (
                        <td key={item.key} className="px-3 py-1.5 text-right">
                          {number(item.values[index] ?? 0)}
                        </td>
                      ))
                    : null}
                  <td className="px-3 py-1.5 text-right font-medium" data-total>
                    {number(totals[index]!)}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot className="border-t border-slate-300 font-semibold">
              <tr>
                <th scope="row" className="px-3 py-2">
                  Total
                </th>
                {series.length > 1
                  ? series.map((item) => (
                      <td key={item.key} className="px-3 py-2 text-right">
                        {number(item.values.reduce((sum, value) => sum + value, 0))}
                      </td>
                    ))
                  : null}
                <td className="px-3 py-2 text-right">{number(total)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      </details>
    </div>
  );
}
