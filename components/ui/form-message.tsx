import { cn } from "@/lib/ui/cn";

/** The outcome line of a form: polite for success, an alert for failure. */
const TONES = { success: "bg-success/10 text-success", warning: "bg-warning/10 text-warning", danger: "bg-danger/10 text-danger" } as const;

/** The outcome line of a form: polite for success (in its own tone, when the news it carries is not good), an alert for failure. */
export function FormMessage({ result }: { result: { ok: boolean; message?: string; tone?: keyof typeof TONES } | null }) {
  if (!result?.message) return null;
  return (
    <p role={result.ok ? "status" : "alert"} className={cn("rounded-md px-3 py-2 text-sm", TONES[result.ok ? (result.tone ?? "success") : "danger"])}>
      {result.message}
    </p>
  );
}
