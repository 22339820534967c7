/** Usage counters (lib/usage/queries.ts) as stacked bar charts: one colour per grant type. */
import { grantTypeInfo, isGrantType } from "@/lib/oauth/grant-types";
import type { DailySeries, UsageGrantType } from "@/lib/usage/queries";
import { StackedBarChart, type BarSeries } from "./bar-chart";

/**
 * One fixed colour per grant type, so a grant type looks the same on every chart. Each is at least
 * 4.7:1 against white; blue, teal, orange and purple stay apart for the common colour deficiencies.
 */
const grantTypeColors: Record<UsageGrantType, string> = {
  authorization_code: "#1d4ed8",
  refresh_token: "#0f766e",
  client_credentials: "#c2410c",
  "urn:ietf:params:oauth:grant-type:device_code": "#7e22ce",
  password: "#be185d",
  other: "#64748b",
};

const failureColor = "#b91c1c";

function grantTypeLabel(grantType: UsageGrantType): string {
  return isGrantType(grantType) ? grantTypeInfo[grantType].label : "Other";
}

/** Per-day counts stacked by grant type. */
export function UsageByGrantTypeChart({
  usage,
  title,
  unit,
  emptyMessage,
  testId,
}: {
  usage: DailySeries;
  title: string;
  unit: string;
  emptyMessage: string;
  testId?: string;
}) {
  const series: BarSeries[] = usage.byGrantType.map((item) => ({
    key: item.grantType,
    label: grantTypeLabel(item.grantType),
    color: grantTypeColors[item.grantType],
    values: item.counts,
  }));
  return (
    <StackedBarChart
      title={title}
      unit={unit}
      emptyMessage={emptyMessage}
      categories={usage.days}
      series={series}
      testId={testId}
    />
  );
}

/** Per-day totals in one colour (failed token requests). */
export function UsageTotalChart({
  usage,
  title,
  label,
  unit,
  emptyMessage,
  color = failureColor,
  testId,
}: {
  usage: DailySeries;
  title: string;
  label: string;
  unit: string;
  emptyMessage: string;
  color?: string;
  testId?: string;
}) {
  return (
    <StackedBarChart
      title={title}
      unit={unit}
      emptyMessage={emptyMessage}
      categories={usage.days}
      series={[{ key: "total", label, color, values: usage.totals }]}
      testId={testId}
    />
  );
}
