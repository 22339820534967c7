"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const navigation = [
  { href: "/admin", label: "Dashboard" },
  { href: "/admin/applications", label: "Applications" },
  { href: "/admin/users", label: "Users" },
  { href: "/admin/scopes", label: "Scopes" },
  { href: "/admin/audit", label: "Audit log" },
];

/**
 * The admin's top navigation. The section being viewed is marked: aria-current="page" on its own
 * page, "true" on the pages inside it (an application's detail is in Applications, not that page).
 */
export function AdminNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Admin" className="flex gap-4 text-sm font-medium">
      {navigation.map((item) => {
        const page = pathname === item.href;
        const section = page || (item.href !== "/admin" && pathname.startsWith(`${item.href}/`));
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={page ? "page" : section ? "true" : undefined}
            className={
              section ? "text-indigo-800 underline underline-offset-4" : "text-slate-700 hover:text-indigo-700"
            }
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
