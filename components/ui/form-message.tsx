import { cn } from "@/lib/ui/cn";

/** The outcome line of a form: polite for success, an alert for failure. */
export function FormMessage({ result }: { result: { ok: boolean; message?: string } | null }) {
  if (!result?.message) return null;
  return (
    <p
      role={result.ok ? "status" : "alert"}
      className={cn("rounded-md px-3 py-2 text-sm", result.ok ? "bg-success/10 text-success" : "bg-danger/10 text-danger")}
    >
      {result.message}
    </p>
  );
}
