"use client";

import * as Collapsible from "@radix-ui/react-collapsible";
import { useState, type ReactNode } from "react";
import { cn } from "@/lib/ui/cn";

/**
 * A section shown or hidden by a button with `aria-expanded` (Radix Collapsible), instead of a
 * `<details>` that scripts and some assistive tools do not find as a button. Its content stays in
 * the page while hidden (`hidden`), so fields inside a form are still sent, and kept, as they are.
 */
export function Disclosure({ label, children, defaultOpen = false, className, triggerClassName, id }: { label: ReactNode; children: ReactNode; defaultOpen?: boolean; className?: string; triggerClassName?: string; id?: string }) {
  // Opened by what the page says (an error inside, an address asking for it): open from then on, and closable.
  const [state, setState] = useState({ open: defaultOpen, asked: defaultOpen });
  if (defaultOpen !== state.asked) setState({ open: defaultOpen || state.open, asked: defaultOpen });
  const open = state.open;
  const setOpen = (next: boolean) => setState({ open: next, asked: defaultOpen });
  return (
    <Collapsible.Root open={open} onOpenChange={setOpen} className={className} id={id}>
      <Collapsible.Trigger className={cn("flex cursor-pointer items-center gap-1 text-left text-sm font-medium", triggerClassName)}>
        <span aria-hidden="true" className={cn("inline-block transition-transform", open ? "rotate-90" : "")}>
          ▸
        </span>
        {label}
      </Collapsible.Trigger>
      <Collapsible.Content forceMount className="data-[state=closed]:hidden">
        {children}
      </Collapsible.Content>
    </Collapsible.Root>
  );
}
