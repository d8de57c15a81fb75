import type { Metadata } from "next";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Lozenge } from "@/components/ui/lozenge";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { CreateTokenForm, RevokeTokenButton } from "@/components/tokens/token-forms";
import { requirePageCaller } from "@/lib/api/server-caller";
import { db } from "@/lib/db";
import { listApiTokens } from "@/lib/tokens/api-tokens";
import { createTokenAction, revokeTokenAction } from "./actions";

export const metadata: Metadata = { title: "My tokens" };

export default async function TokensPage() {
  const caller = await requirePageCaller("/tokens");
  const tokens = await listApiTokens(db, caller.id);
  return (
    <>
      <PageHeader
        title="My API tokens"
        description={
          <>
            Personal tokens authenticate scripts as you: send <code className="font-mono">Authorization: Bearer &lt;token&gt;</code>. A token has your rights, no more.
          </>
        }
      />
      <Card className="mb-8">
        <CreateTokenForm action={createTokenAction} activeIds={tokens.filter((t) => !t.revokedAt).map((t) => t.id)} />
      </Card>
      {tokens.length === 0 ? (
        <EmptyState title="No tokens yet">Create one above; it is shown once and stored only as a hash.</EmptyState>
      ) : (
        <Table aria-label="API tokens">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Token</Th>
              <Th>Created</Th>
              <Th>Last used</Th>
              <Th>Status</Th>
              <Th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id} data-testid={`token-row-${token.name}`}>
                <Td>{token.name}</Td>
                <Td className="font-mono text-muted">ala_…{token.preview}</Td>
                <Td>
                  <Time value={token.createdAt} />
                </Td>
                <Td>
                  <Time value={token.lastUsedAt} fallback="Never" />
                </Td>
                <Td>{token.revokedAt ? <Lozenge tone="danger">Revoked</Lozenge> : <Lozenge tone="success">Active</Lozenge>}</Td>
                <Td>{token.revokedAt ? null : <RevokeTokenButton id={token.id} name={token.name} action={revokeTokenAction} />}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
