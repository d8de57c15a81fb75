import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AdminOnly } from "@/components/shell/app-shell";
import { CreateLinkForm } from "@/components/links/create-link-form";
import { Card, PageHeader } from "@/components/ui/card";
import { requirePageCaller } from "@/lib/auth/server-caller";
import { db } from "@/lib/db";
import { findLinkByRpcUrl } from "@/lib/links/find-link";
import { appUrlSchema } from "@/lib/links/schemas";
import { pathWithQuery } from "@/lib/http/page-url";
import { levelsParam, levelsText, proposalOf } from "@/lib/links/status/proposal";
import { createLinkAction } from "../actions";

export const metadata: Metadata = { title: "Create link" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function NewLinkPage({ searchParams }: Props) {
  const query = await searchParams;
  const caller = await requirePageCaller(pathWithQuery("/links/new", query));
  if (caller.role !== "ADMIN") return <AdminOnly />;
  // "Create the link back", sent here by another instance's diagnostics: its URL prefilled and the
  // levels that match its side proposed. Nothing is created until the admin submits the form.
  const parsed = appUrlSchema.safeParse(typeof query.rpcUrl === "string" ? query.rpcUrl : "");
  const initialRpcUrl = parsed.success ? parsed.data : undefined;
  const proposal = proposalOf(query);
  if (initialRpcUrl && proposal) {
    // The link exists (its consumer was reset, or levels differ): heal it instead, on its own page.
    const existing = await findLinkByRpcUrl(db, initialRpcUrl);
    if (existing) {
      const heal = new URLSearchParams({ refetch: "1", ...(proposal.from ? { from: proposal.from } : {}), ...(proposal.back ? { back: proposal.back } : {}) });
      if (proposal.outgoing) heal.set("out", levelsParam(proposal.outgoing));
      if (proposal.incoming) heal.set("in", levelsParam(proposal.incoming));
      redirect(`/links/${existing.id}?${heal}`);
    }
  }
  return (
    <>
      <PageHeader title="Create an application link" description="Enter the remote application's URL. This app reads its applinks manifest for the name, type and application id." />
      <Card>
        {initialRpcUrl ? (
          <div role="status" className="mb-4 rounded-md bg-accent/10 px-3 py-2 text-sm">
            <p>
              Creating the link back to <span className="font-mono">{initialRpcUrl}</span>, as its diagnostics proposed. Check the URL, then create the link.
            </p>
            {proposal?.incoming || proposal?.outgoing ? (
              <p className="mt-1">
                It will also set {proposal.incoming ? `incoming (that application → this one): ${levelsText(proposal.incoming)}` : ""}
                {proposal.incoming && proposal.outgoing ? "; " : ""}
                {proposal.outgoing ? `outgoing (this one → that application): ${levelsText(proposal.outgoing)}` : ""}. Impersonation assumes both applications share one user base.
              </p>
            ) : null}
          </div>
        ) : null}
        <CreateLinkForm
          action={createLinkAction}
          initialRpcUrl={initialRpcUrl}
          proposed={proposal && initialRpcUrl ? { out: proposal.outgoing ? levelsParam(proposal.outgoing) : undefined, in: proposal.incoming ? levelsParam(proposal.incoming) : undefined } : undefined}
        />
      </Card>
    </>
  );
}
