import type { Metadata } from "next";
import { AdminOnly } from "@/components/shell/app-shell";
import { CreateLinkForm } from "@/components/links/create-link-form";
import { Card, PageHeader } from "@/components/ui/card";
import { requirePageCaller } from "@/lib/auth/server-caller";
import { createLinkAction } from "../actions";

export const metadata: Metadata = { title: "Create link" };

export default async function NewLinkPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const caller = await requirePageCaller("/links/new");
  if (caller.role !== "ADMIN") return <AdminOnly />;
  // "Create the link back", sent here by another instance's diagnostics: its URL, prefilled (nothing is created until submitted).
  const rpcUrl = (await searchParams).rpcUrl;
  const initialRpcUrl = typeof rpcUrl === "string" && /^https?:\/\//.test(rpcUrl) ? rpcUrl.slice(0, 2000) : undefined;
  return (
    <>
      <PageHeader title="Create an application link" description="Enter the remote application's URL. This app reads its applinks manifest for the name, type and application id." />
      <Card>
        {initialRpcUrl ? (
          <p role="status" className="mb-4 rounded-md bg-accent/10 px-3 py-2 text-sm">
            Creating the link back to <span className="font-mono">{initialRpcUrl}</span>, as its diagnostics proposed. Check the URL, then create the link.
          </p>
        ) : null}
        <CreateLinkForm action={createLinkAction} initialRpcUrl={initialRpcUrl} />
      </Card>
    </>
  );
}
