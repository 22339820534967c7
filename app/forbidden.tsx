import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="max-w-md text-center">
        <p className="text-sm font-semibold text-indigo-700">403</p>
        <h1 className="mt-2 text-2xl font-bold">You don&apos;t have access to this page</h1>
        <p className="mt-2 text-slate-700">
          The admin dashboard is for administrators. Your own account is still yours to manage.
        </p>
        <div className="mt-6 flex justify-center gap-3">
          <Link href="/account" className="font-medium text-indigo-700 underline">
            Go to your account
          </Link>
          <Link href="/login?switch=1" className="font-medium text-indigo-700 underline">
            Sign in as someone else
          </Link>
        </div>
      </div>
    </main>
  );
}
