"use client";

/**
 * What a page or a form's action shows when the server could not complete it (the database out of
 * reach, or a fault of ours), instead of Next's bare "Application error". The server has logged it;
 * the digest lets an operator find the line.
 */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="max-w-md text-center" role="alert">
        <h1 className="text-2xl font-bold">That did not work</h1>
        <p className="mt-2 text-slate-700">
          The server could not complete the request. If it was a change, check whether it was saved before trying again.
        </p>
        {error.digest ? <p className="mt-2 text-sm text-slate-600">Reference: {error.digest}</p> : null}
        <button
          type="button"
          onClick={reset}
          className="mt-6 rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700"
        >
          Try again
        </button>
      </div>
    </main>
  );
}
