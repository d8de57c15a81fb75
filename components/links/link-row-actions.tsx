"use client";

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { buttonVariants } from "@/components/ui/button";
import { cn } from "@/lib/ui/cn";
import type { ActionResult } from "@/lib/actions/define-action";

type Action = (s: ActionResult | null, f: FormData) => Promise<ActionResult>;

const item = "cursor-pointer rounded px-3 py-1.5 text-sm outline-none data-[highlighted]:bg-accent data-[highlighted]:text-accent-fg";

/**
 * A link's actions from the list, as Atlassian's list has them: Edit, Check now, Make primary,
 * Disable / Enable, Delete. A keyboard-operable menu (Radix: arrow keys, Escape, focus returned to
 * its button); what an action did is said beside it. Delete opens the link's page at its typed
 * confirmation.
 */
export function LinkRowActions({
  link,
  setPrimary,
  setEnabled,
  check,
}: {
  link: { id: string; name: string; version: number; primary: boolean; enabled: boolean };
  setPrimary: Action;
  setEnabled: Action;
  check: Action;
}) {
  const router = useRouter();
  const [message, setMessage] = useState<ActionResult | null>(null);
  const [pending, startTransition] = useTransition();
  const run = (action: Action, fields: Record<string, string>) =>
    startTransition(async () => {
      const form = new FormData();
      for (const [k, v] of Object.entries({ id: link.id, ...fields })) form.set(k, v);
      const result = await action(null, form);
      setMessage(result);
      router.refresh();
    });
  return (
    <div className="flex flex-col items-start gap-1">
      <DropdownMenu.Root modal={false}>
        <DropdownMenu.Trigger className={cn(buttonVariants({ variant: "secondary", size: "sm" }), "whitespace-nowrap")} aria-label={`Actions for ${link.name}`} aria-busy={pending}>
          {pending ? "Working…" : "Actions ▾"}
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content align="end" sideOffset={4} className="z-50 min-w-44 rounded-md border border-border bg-surface p-1 shadow-md">
            <DropdownMenu.Item className={item} onSelect={() => router.push(`/links/${link.id}?edit=1#edit`)}>
              Edit
            </DropdownMenu.Item>
            <DropdownMenu.Item className={item} onSelect={() => router.push(`/links/${link.id}/request`)}>
              Try a request
            </DropdownMenu.Item>
            <DropdownMenu.Item className={item} onSelect={() => run(check, {})}>
              Check now
            </DropdownMenu.Item>
            {link.primary ? null : (
              <DropdownMenu.Item className={item} onSelect={() => run(setPrimary, { version: String(link.version) })}>
                Make primary
              </DropdownMenu.Item>
            )}
            <DropdownMenu.Item className={item} onSelect={() => run(setEnabled, { version: String(link.version), enabled: link.enabled ? "false" : "true" })}>
              {link.enabled ? "Disable" : "Enable"}
            </DropdownMenu.Item>
            <DropdownMenu.Separator className="my-1 h-px bg-border" />
            <DropdownMenu.Item className={`${item} text-danger`} onSelect={() => router.push(`/links/${link.id}#delete`)}>
              Delete…
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
      {message?.message ? (
        <p role={message.ok ? "status" : "alert"} className={message.ok ? "text-xs text-success" : "text-xs text-danger"}>
          {message.message}
        </p>
      ) : null}
    </div>
  );
}
