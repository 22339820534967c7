"use client";

import { useEffect } from "react";

/**
 * Asks before a link in the app (other than those marked data-leave-ok) leaves a page that shows
 * something once, such as a new client secret. (Not on reload or closing the tab: a beforeunload
 * prompt would also stand in the way of every scripted visit to the next page.)
 */
export function LeaveWarning({ message }: { message: string }) {
  useEffect(() => {
    // On the window, capturing: before Next's links start a client-side navigation (which no unload
    // event sees) and before the navigation progress bar hears of it.
    const onClick = (event: MouseEvent) => {
      const link = (event.target as Element | null)?.closest?.("a[href]");
      if (!link || link.hasAttribute("data-leave-ok") || link.getAttribute("href")?.startsWith("#")) return;
      if (window.confirm(message)) return;
      event.preventDefault();
      event.stopPropagation();
    };
    window.addEventListener("click", onClick, true);
    return () => window.removeEventListener("click", onClick, true);
  }, [message]);
  return null;
}
