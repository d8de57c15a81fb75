import { cva, type VariantProps } from "class-variance-authority";
import type { ReactNode } from "react";

const lozenge = cva("inline-flex items-center rounded px-1.5 py-0.5 text-xs font-semibold uppercase tracking-wide", {
  variants: {
    tone: {
      neutral: "bg-surface-2 text-muted",
      success: "bg-success/15 text-success",
      danger: "bg-danger/15 text-danger",
      warning: "bg-warning/15 text-warning",
      info: "bg-accent/15 text-accent",
    },
  },
  defaultVariants: { tone: "neutral" },
});

/** A status label, as Atlassian's lozenges (CONNECTED, DISABLED, ADMIN …). */
export function Lozenge({ tone, children }: VariantProps<typeof lozenge> & { children: ReactNode }) {
  return <span className={lozenge({ tone })}>{children}</span>;
}
