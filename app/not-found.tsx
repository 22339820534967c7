import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="max-w-md text-center">
        <p className="text-sm font-semibold text-indigo-700">404</p>
        <h1 className="mt-2 text-2xl font-bold">Page not found</h1>
        <p className="mt-2 text-slate-700">It may have been deleted, or the link is wrong.</p>
        <Link href="/" className="mt-6 inline-block font-medium text-indigo-700 underline">
          Go home
        </Link>
      </div>
    </main>
  );
}
