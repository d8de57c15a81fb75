import type { ReactNode } from "react";
import { headers } from "next/headers";
import { AppShell } from "@/components/shell/app-shell";
import { requirePageCaller } from "@/lib/api/server-caller";
import { PAGE_PATH_HEADER, safeReturnPath } from "@/lib/http/page-path";

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  // Signing in comes back to the page asked for, its query included (a proposal from another instance).
  const caller = await requirePageCaller(safeReturnPath((await headers()).get(PAGE_PATH_HEADER)));
  return <AppShell user={caller}>{children}</AppShell>;
}
