import type { OAuthError } from "@/lib/oauth/errors";

/** Shown instead of redirecting when the client or its redirect URI cannot be trusted. */
export function AuthorizationError({ error }: { error: OAuthError }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold text-slate-900">This sign-in request can&apos;t continue</h1>
        <p className="mt-2 text-sm text-slate-700" data-testid="authorization-error">
          {error.description}.
        </p>
        <p className="mt-2 text-sm text-slate-600">
          The application that sent you here is misconfigured, so you were not sent back to it. Error code:{" "}
          <code className="font-mono">{error.code}</code>
        </p>
      </div>
    </main>
  );
}
