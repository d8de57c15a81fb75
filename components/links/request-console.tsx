"use client";

import { useRouter } from "next/navigation";
import { useActionState, type FormEvent } from "react";
import { buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { SelectField, TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";
import type { TryOutcome } from "@/lib/outgoing/try-request";

type Action = (s: ActionResult<TryOutcome> | null, f: FormData) => Promise<ActionResult<TryOutcome>>;

/**
 * The one request console: any method, headers and a body through the link, signed as the person;
 * the answer, or the problem in words with its fix (Authorize; the diagnostics for an admin). A
 * plain GET (no header, no body) is an address (`?path=`), answered by the page itself, so that
 * authorizing comes back to the same answer and the address can be shared.
 */
export function RequestConsole({ action, linkId, linkName, returnTo, initialPath }: { action: Action; linkId: string; linkName: string; returnTo: string; initialPath?: string }) {
  const router = useRouter();
  const [state, formAction] = useActionState(action, null);
  const plainGet = (event: FormEvent<HTMLFormElement>) => {
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    if (text("method") !== "GET" || text("headers") || text("body")) return;
    event.preventDefault();
    router.push(`${returnTo}?${new URLSearchParams({ path: text("path") })}`);
  };
  const failed = state && !state.ok ? state : null;
  const values = failed?.values;
  const outcome = state?.ok ? state.data : undefined;
  return (
    <section aria-label="Request console" className="mb-6">
      <form action={formAction} onSubmit={plainGet} className="grid gap-3 sm:grid-cols-[8rem_1fr]" aria-label="Send a request" key={values ? JSON.stringify(values) : `console-${initialPath ?? ""}`}>
        <input type="hidden" name="id" value={linkId} />
        <SelectField id="console-method" name="method" label="Method" defaultValue={values?.method ?? "GET"}>
          {["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => (
            <option key={m}>{m}</option>
          ))}
        </SelectField>
        <TextField id="console-path" name="path" label="Path" placeholder="rest/api/2/issue" defaultValue={values?.path ?? initialPath ?? ""} error={failed?.fields?.path} />
        <div className="flex flex-col gap-1 sm:col-span-2">
          <label htmlFor="console-headers" className="text-sm font-medium">
            Headers (one &quot;Name: value&quot; per line; cookies and Authorization are never sent)
          </label>
          <textarea
            id="console-headers"
            name="headers"
            rows={3}
            defaultValue={values?.headers ?? ""}
            placeholder="Content-Type: application/json"
            className="rounded-md border border-border bg-surface p-2 font-mono text-xs"
            aria-invalid={failed?.fields?.headers ? true : undefined}
            aria-describedby={failed?.fields?.headers ? "console-headers-error" : undefined}
          />
          {failed?.fields?.headers ? (
            <p id="console-headers-error" className="text-xs text-danger" role="alert">
              {failed.fields.headers}
            </p>
          ) : null}
        </div>
        <div className="flex flex-col gap-1 sm:col-span-2">
          <label htmlFor="console-body" className="text-sm font-medium">
            Body (not sent with GET or DELETE)
          </label>
          <textarea id="console-body" name="body" rows={5} defaultValue={values?.body ?? ""} className="rounded-md border border-border bg-surface p-2 font-mono text-xs" />
        </div>
        <div className="flex flex-col gap-2 sm:col-span-2">
          {failed ? <FormMessage result={failed} /> : null}
          <div>
            <SubmitButton pendingLabel="Sending…">Send</SubmitButton>
          </div>
        </div>
      </form>
      {outcome?.kind === "response" ? (
        <Card aria-label="Console response" className="mt-4">
          <p className="mb-2 text-sm">
            HTTP <strong data-testid="console-status">{outcome.status}</strong> · {outcome.contentType || "no content type"}
          </p>
          <pre tabIndex={0} role="region" aria-label="Console response body" className="max-h-[32rem] overflow-auto whitespace-pre-wrap break-all rounded bg-surface-2 p-3 font-mono text-xs">
            {outcome.body}
            {outcome.truncated ? "\n…" : ""}
          </pre>
        </Card>
      ) : null}
      {outcome?.kind === "problem" || outcome?.kind === "authorize" ? (
        <Card role="alert" className="mt-4 flex flex-wrap items-center justify-between gap-3">
          <p className="text-sm">{outcome.kind === "problem" ? `${linkName} refused the signed request (${outcome.problem}). ${outcome.advice}` : outcome.message}</p>
          {outcome.authorizeUrl ? (
            <a href={`${outcome.authorizeUrl}?returnTo=${encodeURIComponent(returnTo)}`} className={buttonVariants({ size: "sm" })}>
              Authorize
            </a>
          ) : null}
        </Card>
      ) : null}
      {outcome?.kind === "error" ? (
        <p role="alert" className="mt-4 rounded-md bg-danger/10 px-3 py-2 text-sm text-danger">
          {outcome.message}
        </p>
      ) : null}
    </section>
  );
}
