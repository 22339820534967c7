"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";

/** The in-app page a click on this link opens, or null when the browser handles it some other way. */
function internalTarget(event: MouseEvent): string | null {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const link = (event.target as Element | null)?.closest?.("a[href]");
  if (!(link instanceof HTMLAnchorElement) || (link.target && link.target !== "_self") || link.hasAttribute("download"))
    return null;
  const url = new URL(link.href, window.location.href);
  if (url.origin !== window.location.origin) return null;
  const here = window.location.pathname + window.location.search;
  return url.pathname + url.search === here ? null : url.pathname + url.search;
}

/**
 * A bar at the top of the window from a click on a link to another page until that page is shown:
 * the next page renders on the server, which can take seconds on a slow network.
 */
export function NavigationProgress() {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, setPending] = useState(false);
  useEffect(() => setPending(false), [pathname, searchParams]);
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      if (internalTarget(event)) setPending(true);
    };
    // Capture phase: Next's links cancel the click (they navigate themselves) before it bubbles here.
    document.addEventListener("click", onClick, true);
    return () => document.removeEventListener("click", onClick, true);
  }, []);
  return (
    <div role="status" className="fixed inset-x-0 top-0 z-50">
      {pending ? (
        <>
          <div aria-hidden="true" className="h-1 overflow-hidden bg-indigo-100">
            <div className="h-full w-1/3 bg-indigo-700 motion-safe:animate-progress" />
          </div>
          <span className="sr-only">Loading…</span>
        </>
      ) : null}
    </div>
  );
}
