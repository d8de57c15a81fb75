import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { OAuth2ConsentForm } from "@/components/oauth/oauth2-consent-form";
import { Card } from "@/components/ui/card";
import { requirePageCaller } from "@/lib/api/server-caller";
import { db } from "@/lib/db";
import { SCOPE_WORDS } from "@/lib/auth/oauth2-scopes";
import { checkAuthorizationRequest, type AuthorizationParams } from "@/lib/incoming/oauth2/server";
import { decideOAuth2Action } from "./actions";

export const metadata: Metadata = { title: "Authorize an application" };

const NAMES = ["response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"] as const;

// GET /rest/oauth2/latest/authorize?response_type=code&client_id=…&redirect_uri=…&scope=…&state=…&code_challenge=… –
// incoming OAuth 2.0's consent page (RFC 6749 §4.1.1); anonymous visitors sign in first, then return.
export default async function OAuth2AuthorizePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = await searchParams;
  const params: AuthorizationParams = {};
  for (const name of NAMES) {
    const value = raw[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string" && first !== "") params[name] = first.slice(0, 2000);
  }
  const check = await checkAuthorizationRequest(db, params);
  if (check.kind === "redirect") redirect(check.location);
  if (check.kind === "refused") {
    return (
      <main className="flex min-h-screen items-center justify-center px-4">
        <Card className="w-full max-w-md">
          <h1 className="mb-2 text-xl font-semibold">This authorization request cannot be answered</h1>
          <p className="text-sm" role="alert">
            {check.message}
          </p>
        </Card>
      </main>
    );
  }
  const query = new URLSearchParams(params as Record<string, string>).toString();
  const caller = await requirePageCaller(`/rest/oauth2/latest/authorize?${query}`);
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <Card className="w-full max-w-md">
        <h1 className="mb-2 text-xl font-semibold">Allow {check.applicationName} to act as you?</h1>
        {check.applicationUrl ? (
          <p className="mb-3 text-sm">
            <span className="font-mono text-xs text-muted break-all">{check.applicationUrl}</span>
          </p>
        ) : null}
        <p className="mb-2 text-sm">
          It will call this app as <strong>{caller.username}</strong>, never with more than your own rights, and may:
        </p>
        <ul className="mb-3 list-disc pl-5 text-sm" aria-label="What it may do">
          {check.scopes.map((scope) => (
            <li key={scope}>
              <strong>{scope}</strong>: {SCOPE_WORDS[scope]}
            </li>
          ))}
        </ul>
        <p className="mb-4 text-sm text-muted">
          It never sees your password and can never create, show or revoke credentials. You can revoke it at any time under My authorizations. Allow only if you
          started this from {check.applicationName}; you will be sent back to <span className="break-all font-mono text-xs">{new URL(check.redirectUri).origin}</span>.
        </p>
        <OAuth2ConsentForm action={decideOAuth2Action} params={{ ...(params as Record<string, string>), redirect_uri: check.redirectUri }} />
      </Card>
    </main>
  );
}
