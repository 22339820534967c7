"use client";

import { useRef, useState, type RefObject } from "react";

type CopyState = "idle" | "copied" | "selected";

function CopyIcon({ done }: { done: boolean }) {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 16 16"
      className="size-3.5"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
    >
      {done ? (
        <path d="M3 8.5l3 3 7-7" strokeLinecap="round" strokeLinejoin="round" />
      ) : (
        <>
          <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
          <path d="M10.5 3.5v-.5A1.5 1.5 0 0 0 9 1.5H3A1.5 1.5 0 0 0 1.5 3v6A1.5 1.5 0 0 0 3 10.5h.5" />
        </>
      )}
    </svg>
  );
}

/** Selects the element's text, so that the reader's own copy shortcut takes it. */
function selectContents(element: HTMLElement) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}

/**
 * Copies a value to the clipboard and says so to screen readers. Where the browser offers no
 * clipboard (plain HTTP on an address other than localhost) or refuses, the value is selected
 * and the button says how to copy it: it never fails silently.
 */
function CopyButton({ value, label, target }: { value: string; label: string; target: RefObject<HTMLElement | null> }) {
  const [state, setState] = useState<CopyState>("idle");
  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error("No clipboard API here");
      await navigator.clipboard.writeText(value);
      setState("copied");
      setTimeout(() => setState("idle"), 2000);
    } catch {
      if (target.current) selectContents(target.current);
      setState("selected");
    }
  }
  const shortcut = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.userAgent) ? "⌘C" : "Ctrl+C";
  return (
    <>
      <button
        type="button"
        onClick={copy}
        aria-label={`Copy ${label}`}
        className="inline-flex shrink-0 items-center gap-1 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-xs font-medium text-slate-800 hover:bg-slate-50"
      >
        <CopyIcon done={state === "copied"} />
        <span>{state === "copied" ? "Copied" : "Copy"}</span>
      </button>
      <span role="status" className={state === "selected" ? "basis-full text-xs text-slate-700" : "sr-only"}>
        {state === "copied" ? `${label} copied` : state === "selected" ? `Press ${shortcut} to copy` : ""}
      </span>
    </>
  );
}

/** A read-only value in monospace with a copy button beside it. */
export function CopyableValue({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const valueRef = useRef<HTMLElement>(null);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <code
        ref={valueRef}
        data-testid={testId}
        className="min-w-0 flex-1 rounded-md bg-slate-100 px-2.5 py-1.5 font-mono text-sm text-slate-900 [overflow-wrap:anywhere]"
      >
        {value}
      </code>
      <CopyButton value={value} label={label} target={valueRef} />
    </div>
  );
}

/** A block of code (a snippet, several lines) with a copy button above it. */
export function CopyableBlock({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const valueRef = useRef<HTMLElement>(null);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-end gap-2">
        <CopyButton value={value} label={label} target={valueRef} />
      </div>
      <pre
        tabIndex={0}
        aria-label={label}
        className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs leading-relaxed text-slate-100"
      >
        <code ref={valueRef} data-testid={testId} className="font-mono">
          {value}
        </code>
      </pre>
    </div>
  );
}
