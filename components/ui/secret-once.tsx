import { CopyButton } from "@/components/ui/copy-button";

/** A secret shown once (a new token or password), with a copy button. */
export function SecretOnce({ label, value }: { label: string; value: string }) {
  return (
    // Announced when it appears (a polite live region): a screen reader user learns a secret is there to copy.
    <div className="flex flex-col gap-2 rounded-md border border-warning/40 bg-warning/10 p-3" aria-live="polite" aria-atomic="true">
      <p className="text-sm font-medium">{label}</p>
      <div className="flex flex-wrap items-center gap-2">
        <code data-testid="secret-value" className="break-all rounded bg-surface px-2 py-1 font-mono text-sm">
          {value}
        </code>
        <CopyButton value={value} />
      </div>
      <p className="text-xs text-muted">Copy it now: it is not stored and cannot be shown again.</p>
    </div>
  );
}
