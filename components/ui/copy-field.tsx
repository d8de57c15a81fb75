import { CopyButton } from "@/components/ui/copy-button";

/** A labelled value a remote admin must copy, with a copy button. */
export function CopyField({ label, value, multiline = false }: { label: string; value: string; multiline?: boolean }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <div className="flex items-center justify-between gap-2">
        <span className="text-sm font-medium">{label}</span>
        <CopyButton value={value} label={label} variant="ghost" />
      </div>
      <code className={`block max-w-full break-all rounded bg-surface-2 px-2 py-1 font-mono text-xs ${multiline ? "whitespace-pre-wrap" : ""}`}>{value}</code>
    </div>
  );
}
