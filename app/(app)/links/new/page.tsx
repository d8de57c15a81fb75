import type { Metadata } from "next";
import { AdminOnly } from "@/components/shell/app-shell";
import { CreateLinkForm } from "@/components/links/create-link-form";
import { Card, PageHeader } from "@/components/ui/card";
import { requirePageCaller } from "@/lib/auth/server-caller";
import { createLinkAction } from "../actions";

export const metadata: Metadata = { title: "Create link" };

export default async function NewLinkPage() {
  const caller = await requirePageCaller("/links/new");
  if (caller.role !== "ADMIN") return <AdminOnly />;
  return (
    <>
      <PageHeader title="Create an application link" description="Enter the remote application's URL. This app reads its applinks manifest for the name, type and application id." />
      <Card>
        <CreateLinkForm action={createLinkAction} />
      </Card>
    </>
  );
}
