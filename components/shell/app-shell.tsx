import Link from "next/link";
import type { ReactNode } from "react";
import { NavLinks, type NavItem } from "@/components/shell/nav-links";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { Lozenge } from "@/components/ui/lozenge";

interface ShellUser {
  username: string;
  displayName: string;
  role: "ADMIN" | "USER";
}

/** The signed-in frame: navigation (admin entries only for admins), who is signed in, sign-out. */
export function AppShell({ user, children }: { user: ShellUser; children: ReactNode }) {
  const items: NavItem[] = [
    { href: "/links", label: "Links" },
    ...(user.role === "ADMIN"
      ? [
          { href: "/users", label: "Users" },
          { href: "/audit", label: "Audit log" },
        ]
      : []),
    { href: "/settings", label: "Settings" },
    { href: "/authorizations", label: "My authorizations" },
    { href: "/tokens", label: "My tokens" },
  ];
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-10 focus:rounded focus:bg-surface focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="border-b border-border bg-surface">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link href="/links" className="text-base font-semibold">
            Applink Admin
          </Link>
          <details className="group md:hidden">
            <summary className="cursor-pointer list-none rounded-md border border-border px-3 py-1 text-sm">Menu</summary>
            <nav aria-label="Main" className="absolute left-0 right-0 z-10 mt-2 border-b border-border bg-surface px-4 py-2">
              <NavLinks items={items} />
            </nav>
          </details>
          <nav aria-label="Main" className="hidden md:block">
            <NavLinks items={items} />
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span className="hidden sm:inline" data-testid="current-user">
              {user.displayName} <span className="text-muted">({user.username})</span>
            </span>
            {user.role === "ADMIN" ? <Lozenge tone="info">Admin</Lozenge> : null}
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-8">
        {children}
      </main>
    </div>
  );
}

export function AdminOnly() {
  return (
    <div role="alert" className="rounded-lg border border-border bg-surface px-6 py-12 text-center">
      <h1 className="text-xl font-semibold">Administrators only</h1>
      <p className="mt-2 text-sm text-muted">This page is for administrators. Ask one if you need something changed here.</p>
    </div>
  );
}
