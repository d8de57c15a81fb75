import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { requirePageCaller } from "@/lib/api/server-caller";
import { db } from "@/lib/db";
import { listAuthorizations } from "@/lib/outgoing/three-legged";
import { RevokeButton } from "@/components/ui/revoke-button";
import { listAuthorizedApplications } from "@/lib/incoming/issued-tokens";
import { revokeApplicationAction, revokeAuthorizationAction } from "./actions";

export const metadata: Metadata = { title: "My authorizations" };

export default async function AuthorizationsPage() {
  const caller = await requirePageCaller("/authorizations");
  const [rows, applications] = await Promise.all([listAuthorizations(db, caller.id), listAuthorizedApplications(db, caller.id)]);
  return (
    <>
      <PageHeader title="My authorizations" description="Linked applications you allowed this app to use as you (3-legged OAuth). Revoke one and the link asks you again." />
      {rows.length === 0 ? (
        <EmptyState title="Nothing authorized yet">When a link needs you to authorize it, it sends you to the remote application once; it then appears here.</EmptyState>
      ) : (
        <Table aria-label="Authorizations">
          <thead>
            <tr>
              <Th>Link</Th>
              <Th>Authorized</Th>
              <Th>Last used</Th>
              <Th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.linkId} data-testid={`authorization-row-${r.name}`}>
                <Td>
                  <Link href={`/links/${r.linkId}`} className="text-accent hover:underline">
                    {r.name}
                  </Link>
                  <div className="font-mono text-xs text-muted">{r.displayUrl}</div>
                </Td>
                <Td>
                  <Time value={r.authorizedAt} />
                </Td>
                <Td>
                  <Time value={r.lastUsedAt} fallback="Never" />
                </Td>
                <Td>
                  <RevokeButton action={revokeAuthorizationAction} fields={{ linkId: r.linkId }} label="Revoke" ariaLabel={`Revoke authorization of ${r.name}`} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <h2 className="mb-2 mt-10 text-lg font-semibold">Authorized applications</h2>
      <p className="mb-4 text-sm text-muted">Linked applications you allowed to act as you here (3-legged OAuth into this app). Revoke one and its next request is refused.</p>
      {applications.length === 0 ? (
        <EmptyState title="No application may act as you">When a linked application asks, you allow it on a page of this app; it then appears here.</EmptyState>
      ) : (
        <Table aria-label="Authorized applications">
          <thead>
            <tr>
              <Th>Application</Th>
              <Th>Authorized</Th>
              <Th>Last used</Th>
              <Th>Expires</Th>
              <Th />
            </tr>
          </thead>
          <tbody>
            {applications.map((a) => (
              <tr key={a.id} data-testid={`application-row-${a.name}`}>
                <Td>
                  {a.name}
                  <div className="font-mono text-xs text-muted">{a.displayUrl}</div>
                </Td>
                <Td>
                  <Time value={a.authorizedAt} />
                </Td>
                <Td>
                  <Time value={a.lastUsedAt} fallback="Never" />
                </Td>
                <Td>
                  <Time value={a.expiresAt} />
                </Td>
                <Td>
                  <RevokeButton action={revokeApplicationAction} fields={{ tokenId: a.id }} label="Revoke" ariaLabel={`Revoke the access of ${a.name}`} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
