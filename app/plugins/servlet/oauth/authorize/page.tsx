import type { Metadata } from "next";
import { ConsentForm } from "@/components/oauth/consent-form";
import { Card } from "@/components/ui/card";
import { requirePageCaller } from "@/lib/api/server-caller";
import { db } from "@/lib/db";
import { pendingRequestToken } from "@/lib/incoming/issued-tokens";
import { ensureAppIdentity } from "@/lib/identity/app-identity";
import { pagePublicBaseUrl } from "@/lib/api/page-url";
import { decideAuthorizationAction } from "./actions";

export const metadata: Metadata = { title: "Authorize an application" };

// GET /plugins/servlet/oauth/authorize?oauth_token=… – the consent page of incoming 3LO (anonymous visitors sign in first, then return)
export default async function AuthorizePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const token = typeof params.oauth_token === "string" ? params.oauth_token : "";
  const caller = await requirePageCaller(`/plugins/servlet/oauth/authorize?oauth_token=${encodeURIComponent(token)}`);
  const pending = token ? await pendingRequestToken(db, token) : null;
  const [identity, here] = await Promise.all([ensureAppIdentity(db), pagePublicBaseUrl()]);
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <Card className="w-full max-w-md">
        {pending ? (
          <>
            <h1 className="mb-2 text-xl font-semibold">Allow {pending.link.name} to act as you?</h1>
            <p className="mb-1 text-sm">
              <span className="font-mono text-xs text-muted">{pending.link.displayUrl}</span>
            </p>
            <p className="mb-3 text-sm" data-testid="consent-instance">
              On <strong>{identity.consumerName}</strong> <span className="font-mono text-xs text-muted">({here})</span>, where you are signed in as{" "}
              <strong>{caller.username}</strong>.
            </p>
            <p className="mb-4 text-sm text-muted">
              It will call this app&apos;s REST API as <strong>{caller.username}</strong>, with exactly your rights, until you revoke it under My authorizations. Allow
              only if you started this from {pending.link.name}.
            </p>
            <ConsentForm action={decideAuthorizationAction} token={token} linkName={pending.link.name} />
          </>
        ) : (
          <>
            <h1 className="mb-2 text-xl font-semibold">Nothing to authorize</h1>
            <p className="text-sm text-muted" role="alert">
              This authorization request is unknown, already answered or expired (they last 10 minutes), or its link no longer allows 3-legged OAuth. Start again from
              the other application.
            </p>
          </>
        )}
      </Card>
    </main>
  );
}
