"use client";

/** Any unexpected failure while rendering: a friendly page, never a stack trace. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3 px-4 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="text-sm text-muted">
        The page could not be shown. {error.digest ? <>Reference: <code className="font-mono">{error.digest}</code>.</> : null}
      </p>
      <button type="button" onClick={reset} className="rounded-md border border-border px-4 py-2 text-sm">
        Try again
      </button>
    </main>
  );
}
