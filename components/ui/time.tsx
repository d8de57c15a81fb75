/** A timestamp rendered the same on server and client (UTC), with the machine-readable value. */
export function Time({ value, fallback = "—" }: { value: Date | null | undefined; fallback?: string }) {
  if (!value) return <span className="text-muted">{fallback}</span>;
  const iso = value.toISOString();
  return <time dateTime={iso}>{iso.slice(0, 16).replace("T", " ")} UTC</time>;
}
