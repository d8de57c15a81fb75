import { cn } from "@/lib/ui/cn";

/** A product's mark: its initials on its colour, named for assistive technology (the list shows it instead of a Type column). */
const MARKS: Record<string, { letters: string; className: string }> = {
  jira: { letters: "J", className: "bg-[#0052cc] text-white" },
  confluence: { letters: "C", className: "bg-[#0747a6] text-white" },
  bitbucket: { letters: "Bb", className: "bg-[#205081] text-white" },
  bamboo: { letters: "Ba", className: "bg-[#1d5e3a] text-white" },
  "applink-admin": { letters: "AA", className: "bg-[#172b4d] text-white" },
  generic: { letters: "•", className: "bg-surface-2 text-fg border border-border" },
};

export function LinkTypeIcon({ type, label }: { type: string; label: string }) {
  const mark = MARKS[type] ?? MARKS.generic!;
  return (
    <span role="img" aria-label={label} title={label} className={cn("inline-flex h-6 min-w-6 shrink-0 items-center justify-center rounded px-1 text-[11px] font-bold leading-none", mark.className)}>
      <span aria-hidden="true">{mark.letters}</span>
    </span>
  );
}
