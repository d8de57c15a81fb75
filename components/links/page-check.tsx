"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { ActionResult } from "@/lib/actions/define-action";

type Action = (s: ActionResult<{ ran: boolean }> | null, f: FormData) => Promise<ActionResult<{ ran: boolean }>>;

/**
 * A check the link page runs on its own, in the background: its diagnosis is stale, or the admin
 * just came back from the remote (`returned`). The result replaces the page's diagnosis without a
 * reload; the address loses its `linked` mark, so a reload does not ask again.
 */
export function PageCheck({ action, id, reason }: { action: Action; id: string; reason: "stale" | "returned" }) {
  const router = useRouter();
  const [phase, setPhase] = useState<"checking" | "done" | "failed">("checking");
  useEffect(() => {
    let live = true;
    const form = new FormData();
    form.set("id", id);
    form.set("reason", reason);
    const url = new URL(window.location.href);
    if (url.searchParams.has("linked")) {
      url.searchParams.delete("linked");
      window.history.replaceState(window.history.state, "", url.href);
    }
    action(null, form)
      .then((result) => {
        if (!live) return;
        setPhase(result.ok ? "done" : "failed");
        if (result.ok && result.data?.ran) router.refresh();
      })
      .catch(() => live && setPhase("failed"));
    return () => {
      live = false;
    };
  }, [action, id, reason, router]);
  return (
    <p role="status" className="text-sm text-muted" data-testid="page-check">
      {phase === "checking" ? (reason === "returned" ? "Checking the link again, now that the other end was set up…" : "Checking the link again: its last check is a few minutes old…") : phase === "failed" ? "The link could not be checked again: press Check now." : ""}
    </p>
  );
}
