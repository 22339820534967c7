import type { ReactNode } from "react";

const tones = {
  neutral: "bg-slate-100 text-slate-800",
  indigo: "bg-indigo-50 text-indigo-800",
  green: "bg-emerald-50 text-emerald-800",
  amber: "bg-amber-100 text-amber-900",
} as const;

export function Badge({ children, tone = "neutral" }: { children: ReactNode; tone?: keyof typeof tones }) {
  return (
    <span className={`inline-flex items-center rounded px-1.5 py-0.5 text-xs font-medium ${tones[tone]}`}>
      {children}
    </span>
  );
}
