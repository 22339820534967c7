"use client";

import { usePathname } from "next/navigation";
import { flashCookie } from "@/lib/web/flash-cookie";
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

export type ToastTone = "success" | "error";
interface Toast {
  id: number;
  message: string;
  tone: ToastTone;
}

const ToastContext = createContext<(message: string, tone?: ToastTone) => void>(() => {});

/** Shows a toast from a client component. */
export function useToast() {
  return useContext(ToastContext);
}

function readFlash(): Toast | null {
  const entry = document.cookie.split("; ").find((cookie) => cookie.startsWith(`${flashCookie}=`));
  if (!entry) return null;
  document.cookie = `${flashCookie}=; Max-Age=0; Path=/`;
  try {
    const { message, tone } = JSON.parse(decodeURIComponent(entry.slice(flashCookie.length + 1))) as Partial<Toast>;
    return typeof message === "string"
      ? { id: Date.now(), message, tone: tone === "error" ? "error" : "success" }
      : null;
  } catch {
    return null;
  }
}

/** Holds toasts, including one a server action left in the flash cookie before redirecting. */
export function Toaster({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const show = useCallback((message: string, tone: ToastTone = "success") => {
    const id = Date.now() + Math.random();
    setToasts((current) => [...current, { id, message, tone }]);
    setTimeout(() => setToasts((current) => current.filter((toast) => toast.id !== id)), 5000);
  }, []);
  // A server action that redirects leaves its message in a cookie; read it after each navigation.
  const pathname = usePathname();
  useEffect(() => {
    const flash = readFlash();
    if (flash) show(flash.message, flash.tone);
  }, [pathname, show]);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div
        role="status"
        aria-live="polite"
        className="pointer-events-none fixed inset-x-0 bottom-4 z-50 flex flex-col items-center gap-2 px-4"
      >
        {toasts.map((toast) => (
          <div
            key={toast.id}
            data-testid="toast"
            className={`pointer-events-auto w-full max-w-sm rounded-md px-4 py-3 text-sm font-medium shadow-lg ${
              toast.tone === "error" ? "bg-red-700 text-white" : "bg-slate-900 text-white"
            }`}
          >
            {toast.message}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
