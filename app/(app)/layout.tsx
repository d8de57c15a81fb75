import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { requirePageCaller } from "@/lib/auth/server-caller";

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const caller = await requirePageCaller("/links");
  return <AppShell user={caller}>{children}</AppShell>;
}
