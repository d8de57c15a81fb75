import { cn } from "@/lib/ui/cn";

/** The outcome line of a form: polite for success, an alert for failure. */
const TONES = { success: "bg-success/10 text-success", warning: "bg-warning/10 text-warning", danger: "bg-danger/10 text-danger" } as const;

/** Fields a form carries hidden: an error there has no field to be shown at. */
const HIDDEN_FIELDS = new Set(["id", "version"]);

/**
 * The outcome line of a form: polite for success (in its own tone, when the news it carries is not
 * good), an alert for failure. A refusal that names visible fields is said once, at those fields
 * (each with its own alert), not again here in other words.
 */
export function FormMessage({ result }: { result: { ok: boolean; message?: string; tone?: keyof typeof TONES; fields?: Record<string, string> } | null }) {
  if (!result?.message) return null;
  if (!result.ok && result.fields && Object.keys(result.fields).some((field) => !HIDDEN_FIELDS.has(field))) return null;
  return (
    <p role={result.ok ? "status" : "alert"} className={cn("rounded-md px-3 py-2 text-sm", TONES[result.ok ? (result.tone ?? "success") : "danger"])}>
      {result.message}
    </p>
  );
}
