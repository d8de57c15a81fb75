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
import { listUserGrants } from "@/lib/incoming/oauth2/grants";
import { revokeApplicationAction, revokeAuthorizationAction, revokeOAuth2GrantAction } from "./actions";

export const metadata: Metadata = { title: "My authorizations" };

export default async function AuthorizationsPage() {
  const caller = await requirePageCaller("/authorizations");
  const [rows, applications, grants] = await Promise.all([listAuthorizations(db, caller.id), listAuthorizedApplications(db, caller.id), listUserGrants(db, caller.id)]);
  return (
    <>
      <PageHeader title="My authorizations" description="Linked applications you allowed this app to use as you (3-legged OAuth 1.0a, or OAuth 2.0). Revoke one and the link asks you again." />
      {rows.length === 0 ? (
        <EmptyState title="Nothing authorized yet">When a link needs you to authorize it, it sends you to the remote application once; it then appears here.</EmptyState>
      ) : (
        <Table aria-label="Authorizations">
          <thead>
            <tr>
              <Th>Link</Th>
              <Th>By</Th>
              <Th>Authorized</Th>
              <Th>Last used</Th>
              <Th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.scheme}:${r.linkId}`} data-testid={`authorization-row-${r.name}`}>
                <Td>
                  <Link href={`/links/${r.linkId}`} className="text-accent hover:underline">
                    {r.name}
                  </Link>
                  <div className="font-mono text-xs text-muted">{r.displayUrl}</div>
                </Td>
                <Td>
                  {r.scheme === "oauth2" ? "OAuth 2.0" : "OAuth 1.0a"}
                  {r.scopes ? <div className="break-all font-mono text-xs text-muted">{r.scopes}</div> : null}
                </Td>
                <Td>
                  <Time value={r.authorizedAt} />
                </Td>
                <Td>
                  <Time value={r.lastUsedAt} fallback="Never" />
                </Td>
                <Td>
                  <RevokeButton action={revokeAuthorizationAction} fields={{ linkId: r.linkId, scheme: r.scheme }} label="Revoke" ariaLabel={`Revoke authorization of ${r.name}`} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <h2 className="mb-2 mt-10 text-lg font-semibold">Authorized applications</h2>
      <p className="mb-4 text-sm text-muted">Applications you allowed to act as you here (3-legged OAuth 1.0a, or OAuth 2.0). Revoke one and its next request is refused.</p>
      {grants.length > 0 ? (
        <Table aria-label="Applications authorized by OAuth 2.0" className="mb-6">
          <thead>
            <tr>
              <Th>Application</Th>
              <Th>May</Th>
              <Th>Authorized</Th>
              <Th>Last used</Th>
              <Th />
            </tr>
          </thead>
          <tbody>
            {grants.map((g) => (
              <tr key={g.id} data-testid={`oauth2-grant-row-${g.linkName}`}>
                <Td>{g.linkName}</Td>
                <Td>{g.scopes.join(", ")}</Td>
                <Td>
                  <Time value={g.authorizedAt} />
                </Td>
                <Td>
                  <Time value={g.lastUsedAt} fallback="Never" />
                </Td>
                <Td>
                  <RevokeButton action={revokeOAuth2GrantAction} fields={{ grantId: g.id }} label="Revoke" ariaLabel={`Revoke the access of ${g.linkName}`} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
      {applications.length === 0 && grants.length === 0 ? (
        <EmptyState title="No application may act as you">When a linked application asks, you allow it on a page of this app; it then appears here.</EmptyState>
      ) : applications.length === 0 ? null : (
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
