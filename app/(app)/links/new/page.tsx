import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AdminOnly } from "@/components/shell/app-shell";
import { CreateLinkForm } from "@/components/links/create-link-form";
import { Card, PageHeader } from "@/components/ui/card";
import { requirePageCaller } from "@/lib/api/server-caller";
import { db } from "@/lib/db";
import { findLinkByRpcUrl } from "@/lib/links/find-link";
import { appUrlSchema } from "@/lib/links/schemas";
import { pathWithQuery } from "@/lib/api/page-url";
import { levelsParam, proposedLevels, queryValue } from "@/lib/status/proposal";
import { remoteNameAt } from "@/lib/links/discover";
import { serviceUsernameFor } from "@/lib/links/create-with-levels";
import { listUsers } from "@/lib/users/find-user";
import { createExternalApplicationAction, createLinkAction } from "../actions";
import { CreateExternalApplicationForm } from "@/components/links/create-external-application-form";

export const metadata: Metadata = { title: "Create link" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function NewLinkPage({ searchParams }: Props) {
  const query = await searchParams;
  const caller = await requirePageCaller(pathWithQuery("/links/new", query));
  if (caller.role !== "ADMIN") return <AdminOnly />;
  // "Set up this app on …", sent here by another instance's diagnostics: the address prefills the
  // form (its URL, and the levels that match its side, as boxes the admin can change). Nothing here
  // is shown as a message from anyone, and nothing is created until the admin submits the form.
  const parsed = appUrlSchema.safeParse(typeof query.rpcUrl === "string" ? query.rpcUrl : "");
  const initialRpcUrl = parsed.success ? parsed.data : undefined;
  const proposal = proposedLevels(query);
  const proposing = initialRpcUrl && proposal && !proposal.malformed ? proposal : null;
  if (initialRpcUrl && proposing) {
    // The link exists (its consumer was reset, or levels differ): heal it instead, on its own page,
    // which accepts the proposal only from that link's own remote.
    const existing = await findLinkByRpcUrl(db, initialRpcUrl);
    if (existing) {
      const heal = new URLSearchParams({ refetch: "1" });
      for (const key of ["from", "back"]) if (queryValue(query, key) !== undefined) heal.set(key, queryValue(query, key)!);
      if (proposal!.outgoing) heal.set("out", levelsParam(proposal!.outgoing));
      if (proposal!.incoming) heal.set("in", levelsParam(proposal!.incoming));
      redirect(`/links/${existing.id}?${heal}`);
    }
  }
  // The remote's own name, read from its manifest, only proposes the username its 2LO runs as
  // (letters, digits and dashes): the page shows nothing that server says, only its address.
  const remoteName = proposing && initialRpcUrl ? await remoteNameAt(initialRpcUrl) : null;
  const users = (await listUsers(db)).filter((u) => !u.disabled).map((u) => ({ username: u.username, displayName: u.displayName }));
  return (
    <>
      <PageHeader
        title={proposing ? `Link back to ${new URL(initialRpcUrl!).host}` : "Create an application link"}
        description={
          proposing
            ? "The levels below are prefilled so that both ends agree. Check them, choose what only you can decide here, and create the link: you then go back to the application's page for it, which checks the link again."
            : "Enter the remote application's URL. This app reads its applinks manifest for the name, type and application id."
        }
      />
      <Card>
        <CreateLinkForm
          action={createLinkAction}
          initialRpcUrl={initialRpcUrl}
          proposed={proposing ? { outgoing: proposing.outgoing, incoming: proposing.incoming, back: queryValue(query, "back") ?? null } : undefined}
          users={users}
          serviceUsername={serviceUsernameFor(remoteName ?? (initialRpcUrl ? new URL(initialRpcUrl).hostname : "linked-app"))}
        />
      </Card>
      {proposing ? null : (
        <Card className="mt-6">
          <h2 className="mb-1 text-lg font-semibold">External application (incoming only)</h2>
          <p className="mb-3 text-sm text-muted">
            A CI server, a merge tool or a data connector that calls this app as each person who authorizes it (OAuth 2.0), as Jira and Confluence Data Center link
            external applications. It needs no URL or manifest.
          </p>
          <CreateExternalApplicationForm action={createExternalApplicationAction} />
        </Card>
      )}
    </>
  );
}
