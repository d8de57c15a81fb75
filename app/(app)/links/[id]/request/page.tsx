import type { Metadata } from "next";
import Link from "next/link";
import { cookies } from "next/headers";
import { notFound } from "next/navigation";
import { buttonVariants } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { requirePageCaller } from "@/lib/api/server-caller";
import { db } from "@/lib/db";
import { tryLinkRequest } from "@/lib/outgoing/try-request";
import { findLink } from "@/lib/links/find-link";
import { RequestConsole } from "@/components/links/request-console";
import { FlashMessages } from "@/components/ui/flash-messages";
import { FLASH_COOKIE, readFlash } from "@/lib/http/flash";
import { sessionSecret } from "@/lib/env/secret-file";
import { sendLinkRequestAction } from "../../actions";

export const metadata: Metadata = { title: "Request through a link" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/** A server component that fetches through the link as the signed-in person and shows the answer. */
export default async function LinkRequestPage({ params, searchParams }: Props) {
  const { id } = await params;
  const caller = await requirePageCaller(`/links/${encodeURIComponent(id)}/request`);
  const link = await findLink(db, id);
  if (!link) notFound();
  const query = await searchParams;
  const path = typeof query.path === "string" ? query.path : "";
  const flash = readFlash((await cookies()).get(FLASH_COOKIE)?.value, `/links/${encodeURIComponent(id)}/request`, sessionSecret());
  const outcome = path ? await tryLinkRequest(db, caller, id, path) : null;
  const here = `/links/${encodeURIComponent(id)}/request?path=${encodeURIComponent(path)}`;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/links/${id}`} className="text-accent hover:underline">
          ← {link.name}
        </Link>
      </p>
      <PageHeader title="Request through this link" description={<>Any method, headers and a body to a path under <span className="font-mono">{link.rpcUrl}</span>, signed as you.</>} />
      <FlashMessages messages={flash} cookieName={FLASH_COOKIE} />
      <RequestConsole action={sendLinkRequestAction} linkId={link.id} linkName={link.name} returnTo={`/links/${encodeURIComponent(id)}/request`} initialPath={path || undefined} />
      {outcome?.kind === "authorize" ? (
        <Card role="alert" className="flex flex-wrap items-center justify-between gap-3">
          <p className="text-sm">{outcome.message}</p>
          <a href={`${outcome.authorizeUrl}?returnTo=${encodeURIComponent(here)}`} className={buttonVariants({ size: "sm" })}>
            Authorize
          </a>
        </Card>
      ) : null}
      {outcome?.kind === "problem" ? (
        <Card role="alert" aria-label="The remote refused the request" className="flex flex-col gap-3">
          <p className="text-sm">
            {link.name} refused the signed request (<span className="font-mono">{outcome.problem}</span>). {outcome.advice}
          </p>
          <div className="flex flex-wrap gap-2">
            {outcome.authorizeUrl ? (
              <a href={`${outcome.authorizeUrl}?returnTo=${encodeURIComponent(here)}`} className={buttonVariants({ size: "sm" })}>
                Authorize, to make it as yourself
              </a>
            ) : null}
            {outcome.canReset ? (
              <Link href={`/links/${id}#diagnostics`} className={buttonVariants({ variant: "secondary", size: "sm" })}>
                Open the link&apos;s diagnostics
              </Link>
            ) : null}
          </div>
        </Card>
      ) : null}
      {outcome?.kind === "error" ? (
        <p role="alert" className="rounded-md bg-danger/10 px-3 py-2 text-sm text-danger">
          {outcome.message}
        </p>
      ) : null}
      {outcome?.kind === "response" ? (
        <Card aria-label="Response">
          <p className="mb-2 text-sm">
            HTTP <strong data-testid="response-status">{outcome.status}</strong> · {outcome.contentType || "no content type"}
            {outcome.oauthProblem ? <> · oauth_problem <strong>{outcome.oauthProblem}</strong></> : null}
          </p>
          <pre data-testid="response-body" tabIndex={0} role="region" aria-label="Response body" className="max-h-[32rem] overflow-auto whitespace-pre-wrap break-all rounded bg-surface-2 p-3 font-mono text-xs">
            {outcome.body}
            {outcome.truncated ? "\n…" : ""}
          </pre>
        </Card>
      ) : null}
    </>
  );
}
