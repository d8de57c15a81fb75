import { Disclosure } from "@/components/ui/disclosure";
import type { Metadata } from "next";
import Link from "next/link";
import { cookies } from "next/headers";
import { notFound } from "next/navigation";
import { DeleteLink, LegacyOffButton, ResetDirection, SetPrimaryButton } from "@/components/links/link-admin-actions";
import { IncomingForm, OutgoingForm } from "@/components/links/direction-forms";
import { CertificateRequestForm, CredentialForm } from "@/components/links/credential-form";
import { incomingSummary, outgoingSummary } from "@/components/links/auth-summary";
import { buttonVariants } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { authorizePath } from "@/lib/outgoing/auth-level";
import { DiagnosticsPanel } from "@/components/links/diagnostics-panel";
import { StatusTimeline } from "@/components/links/status-timeline";
import { statusHistory } from "@/lib/history/status-history";
import { timelineOf } from "@/lib/history/timeline";
import { FlashMessages } from "@/components/ui/flash-messages";
import { FLASH_COOKIE, readFlash } from "@/lib/http/flash";
import { sessionSecret } from "@/lib/env/secret-file";
import { ApplyProposalButton, EnableLinkButton } from "@/components/links/diagnostics-actions";
import { ourLevels } from "@/lib/status/diagnose";
import { levelsParam, levelsText, proposalFor } from "@/lib/status/proposal";
import { linkStatusView, pageCheckReason, statusRow } from "@/lib/status/store";
import { PageCheck } from "@/components/links/page-check";
import { SectionTabs } from "@/components/ui/section-tabs";
import { LINK_TYPES, linkTypeLabel } from "@/lib/links/schemas";
import { EditLinkForm } from "@/components/links/edit-link-form";
import { pagePublicBaseUrl, pathWithQuery } from "@/lib/api/page-url";
import { CopyField } from "@/components/ui/copy-field";
import { Lozenge } from "@/components/ui/lozenge";
import { requirePageCaller } from "@/lib/api/server-caller";
import { db } from "@/lib/db";
import { ensureAppIdentity } from "@/lib/identity/app-identity";
import { linkJson } from "@/lib/links/serialize";
import { findLink } from "@/lib/links/find-link";
import { hasAuthorized } from "@/lib/outgoing/three-legged";
import { hasOAuth2Authorization } from "@/lib/outgoing/oauth2-tokens";
import { oauth2RedirectUrl } from "@/lib/outgoing/oauth2-authorization";
import { listUsers } from "@/lib/users/find-user";
import { RevokeButton } from "@/components/ui/revoke-button";
import { listIssuedAccessTokens } from "@/lib/incoming/issued-tokens";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { OAuth2ClientForm } from "@/components/links/oauth2-client-form";
import { clientView, findOAuth2Client } from "@/lib/incoming/oauth2/clients";
import { listLinkGrants } from "@/lib/incoming/oauth2/grants";
import { SCOPE_WORDS } from "@/lib/auth/oauth2-scopes";
import {
  applyFixAction,
  applyProposalAction,
  checkFromPageAction,
  checkLinkAction,
  deleteLinkAction,
  disableLegacyAuthAction,
  editLinkAction,
  resetLinkAction,
  revokeIssuedTokensAction,
  revokeLinkOAuth2GrantsAction,
  rotateOAuth2SecretAction,
  saveOAuth2ClientAction,
  turnOffOAuth2Action,
  saveIncomingAction,
  saveOutgoingAction,
  saveCredentialAction,
  requestCertificateAction,
  setLinkEnabledAction,
  setPrimaryAction,
} from "../actions";

export const metadata: Metadata = { title: "Link" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function LinkPage({ params, searchParams }: Props) {
  const { id } = await params;
  const query = await searchParams;
  const caller = await requirePageCaller(pathWithQuery(`/links/${encodeURIComponent(id)}`, query));
  const row = await findLink(db, id);
  if (!row) notFound();
  const link = linkJson(row);
  const isAdmin = caller.role === "ADMIN";
  const flash = readFlash((await cookies()).get(FLASH_COOKIE)?.value, `/links/${encodeURIComponent(id)}`, sessionSecret());
  const ours = ourLevels(row);
  const proposal = proposalFor(query, row, ours);
  const statusView = linkStatusView(row, await statusRow(db, row.id), await pagePublicBaseUrl());
  // Back from the remote (it just set up its side), or a diagnosis minutes old: checked again in the background.
  const pageCheck = isAdmin ? pageCheckReason(statusView, query.linked === "1") : null;
  // Requests run as each person (OAuth 1.0a 3LO, or OAuth 2.0): do they hold their authorization?
  const perPerson = link.outgoing.enabled && (link.outgoing.threeLegged || link.outgoing.scheme === "oauth2");
  const hasToken = !perPerson ? false : link.outgoing.scheme === "oauth2" ? await hasOAuth2Authorization(db, caller.id, link.id) : await hasAuthorized(db, caller.id, link.id);
  const [identity, users, issuedTokens, oauth2Client, oauth2Grants, baseUrl] = await Promise.all([
    ensureAppIdentity(db),
    isAdmin ? listUsers(db) : Promise.resolve([]),
    isAdmin ? listIssuedAccessTokens(db, link.id) : Promise.resolve([]),
    isAdmin ? findOAuth2Client(db, link.id) : Promise.resolve(null),
    isAdmin ? listLinkGrants(db, link.id) : Promise.resolve([]),
    pagePublicBaseUrl(),
  ]);
  const oauth2 = oauth2Client ? clientView(oauth2Client) : null;
  const healthNow = new Date();
  const healthSince = new Date(healthNow.getTime() - 30 * 86_400_000);
  const health = await statusHistory(db, link.id, healthSince, healthNow);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/links" className="text-accent hover:underline">
          ← Application links
        </Link>
      </p>
      <PageHeader
        title={link.name}
        description={
          <>
            {link.rpcUrl === null ? <span>External application (incoming only)</span> : <span className="font-mono">{link.rpcUrl}</span>} · {linkTypeLabel(link.type)} {link.primary ? <Lozenge tone="info">Primary</Lozenge> : null}
            {link.remoteAppId ? <span className="block text-xs">Application id {link.remoteAppId}</span> : null}
          </>
        }
        actions={
          <div className="flex items-start gap-2">
            {link.rpcUrl === null ? null : (
              <Link href={`/links/${link.id}/request`} className={buttonVariants({ variant: "secondary", size: "sm" })}>
                Try a request
              </Link>
            )}
            {isAdmin ? <SetPrimaryButton action={setPrimaryAction} id={link.id} version={link.version} primary={link.primary} /> : null}
          </div>
        }
      />
      <FlashMessages messages={flash} cookieName={FLASH_COOKIE} />
      {isAdmin && proposal?.kind === "refused" ? (
        <p role="alert" className="mb-6 rounded-md bg-warning/10 px-3 py-2 text-sm text-warning">
          {proposal.reason}
        </p>
      ) : null}
      {isAdmin && proposal?.kind === "proposal" ? (
        <Card className="mb-6 border-accent/50" aria-labelledby="proposal-heading">
          <h2 id="proposal-heading" className="mb-2 text-lg font-semibold">
            A change proposed by {link.name} ({proposal.from})
          </h2>
          {proposal.outgoing || proposal.incoming || proposal.refetch ? (
            <p className="mb-2 text-sm">Applying it changes exactly this here:</p>
          ) : (
            <p className="mb-3 text-sm">This link now matches it: nothing is left to change here.</p>
          )}
          <ul className="mb-3 list-disc pl-5 text-sm empty:hidden">
            {proposal.outgoing ? (
              <li>
                Outgoing (this app → {link.name}): {levelsText(ours.outgoing)} → {levelsText(proposal.outgoing)}
              </li>
            ) : null}
            {proposal.incoming ? (
              <li>
                Incoming ({link.name} → this app): {levelsText(ours.incoming)} → {levelsText(proposal.incoming)}
              </li>
            ) : null}
            {proposal.refetch ? <li>Fetch {link.name}&apos;s consumer again (its key or consumer changed there)</li> : null}
          </ul>
          <p className="mb-3 text-sm text-muted">{link.name}&apos;s diagnostics found the two ends disagree. Nothing changes until you apply it; the change is audited here.</p>
          <div className="flex flex-wrap items-start gap-3">
            <ApplyProposalButton
              action={applyProposalAction}
              id={link.id}
              out={proposal.outgoing ? levelsParam(proposal.outgoing) : undefined}
              incoming={proposal.incoming ? levelsParam(proposal.incoming) : undefined}
              refetch={proposal.refetch}
            />
            {proposal.back ? (
              <a href={proposal.back} className={buttonVariants({ variant: "secondary", size: "sm" })}>
                Back to {link.name}
              </a>
            ) : null}
          </div>
        </Card>
      ) : null}
      {pageCheck ? <PageCheck action={checkFromPageAction} id={link.id} reason={pageCheck} /> : null}
      <DiagnosticsPanel linkId={link.id} view={statusView} isAdmin={isAdmin} checkAction={checkLinkAction} fixAction={applyFixAction} />
      <Card className="mb-6">
        <h2 className="mb-3 text-lg font-semibold">Health, last 30 days</h2>
        <StatusTimeline timeline={timelineOf(health.changes, health.statusAtSince, healthSince, healthNow)} since={healthSince} now={healthNow} days={30} name={link.name} />
      </Card>
      <Card className="mb-6" aria-labelledby="directions-heading">
        <h2 id="directions-heading" className="mb-2 text-lg font-semibold">
          Both directions
        </h2>
        <dl className="grid gap-2 text-sm sm:grid-cols-[auto_1fr] sm:gap-x-4">
          <dt className="font-medium">Outgoing (this app → {link.name})</dt>
          <dd data-testid="outgoing-summary">Now: {outgoingSummary(link.outgoing)}.</dd>
          <dt className="font-medium">Incoming ({link.name} → this app)</dt>
          <dd data-testid="incoming-summary">Now: {incomingSummary(link.incoming)}.</dd>
        </dl>
        {perPerson ? (
          <div className="mt-4 flex flex-wrap items-center justify-between gap-3 border-t border-border pt-4">
            <p className="text-sm">
              {hasToken ? "You have authorized this app to act as you on " : "Requests through this link can run as you once you authorize this app on "}
              <strong>{link.name}</strong>.
            </p>
            <a href={authorizePath(link, `/links/${link.id}`)} className={buttonVariants({ variant: hasToken ? "secondary" : "primary", size: "sm" })}>
              {hasToken ? "Authorize again" : "Authorize"}
            </a>
          </div>
        ) : null}
      </Card>
      {link.legacy.trustedApps || link.legacy.basicAccess ? (
        <Card className="mb-6">
          <h2 className="mb-2 text-lg font-semibold">Deprecated authentication found</h2>
          <p className="mb-3 text-sm text-muted">Trusted Applications and Basic Access are deprecated. They can be switched off here, never on.</p>
          {isAdmin ? (
            <div className="flex gap-2">
              {(["trustedApps", "basicAccess"] as const)
                .filter((k) => link.legacy[k])
                .map((which) => (
                  <LegacyOffButton key={which} action={disableLegacyAuthAction} id={link.id} version={link.version} which={which} />
                ))}
            </div>
          ) : null}
        </Card>
      ) : null}
      {isAdmin ? (
        <SectionTabs
          key={typeof query.section === "string" ? query.section : "default"}
          label={`Settings of ${link.name}`}
          initial={typeof query.section === "string" ? query.section : query.edit === "1" ? "details" : undefined}
          sections={[
            {
              id: "outgoing",
              title: "Outgoing",
              intro: <>This app → {link.name}: we are the client.</>,
              content: link.rpcUrl === null ? (
                <IncomingOnlyNote name={link.name} />
              ) : (
                <>
                  {link.outgoing.scheme === "oauth1" ? <OutgoingForm action={saveOutgoingAction} link={link} /> : null}
                  {link.outgoing.scheme === "oauth2" ? (
                    <p className="text-sm">
                      Requests run as each person with their own OAuth 2.0 authorization ({link.outgoing.oauth2?.presetName}), set under Credential and TLS.
                      {link.outgoing.kept.oauth1 ? " Its OAuth 1.0a levels are kept, unused, and apply again when you choose OAuth 1.0a there." : ""}
                    </p>
                  ) : null}
                  {link.outgoing.scheme !== "oauth1" && link.outgoing.scheme !== "oauth2" ? (
                    <p className="text-sm">
                      This link sends one fixed credential instead of OAuth (Credential and TLS).
                      {link.outgoing.kept.oauth1 ? " Its OAuth 1.0a levels are kept, unused, and apply again when you choose OAuth 1.0a there." : " Choose OAuth 1.0a there to set OAuth levels again."}
                    </p>
                  ) : null}
                  <RemoteAdminEnters identity={identity} />
                </>
              ),
            },
            {
              id: "incoming",
              title: "Incoming",
              intro: <>{link.name} → this app: we are the OAuth provider.</>,
              content: (
                <>
                  <IncomingForm action={saveIncomingAction} link={link} users={users.filter((u) => !u.disabled)} />
                  <div className="mt-4 flex flex-wrap items-center justify-between gap-2 text-sm">
                    <span data-testid="issued-token-count">
                      {issuedTokens.length} {issuedTokens.length === 1 ? "person has" : "people have"} allowed {link.name} to act as them (3-legged).
                    </span>
                    {issuedTokens.length > 0 ? <RevokeButton action={revokeIssuedTokensAction} fields={{ id: link.id }} label="Revoke all" ariaLabel={`Revoke every access token issued to ${link.name}`} /> : null}
                  </div>
                  {issuedTokens.length > 0 ? (
                    <Table aria-label="Access tokens issued to this application" className="mt-3">
                      <thead>
                        <tr>
                          <Th>Person</Th>
                          <Th>Authorized</Th>
                          <Th>Last used</Th>
                          <Th>Expires</Th>
                        </tr>
                      </thead>
                      <tbody>
                        {issuedTokens.map((t) => (
                          <tr key={t.id}>
                            <Td>{t.username}</Td>
                            <Td>
                              <Time value={t.authorizedAt} />
                            </Td>
                            <Td>
                              <Time value={t.lastUsedAt} fallback="Never" />
                            </Td>
                            <Td>
                              <Time value={t.expiresAt} />
                            </Td>
                          </tr>
                        ))}
                      </tbody>
                    </Table>
                  ) : null}
                </>
              ),
            },
            {
              id: "oauth2",
              title: "OAuth 2.0 (incoming)",
              intro: <>An external application → this app: we are its OAuth 2.0 authorization server, and each person authorizes it once.</>,
              content: (
                <>
                  <OAuth2ClientForm
                    save={saveOAuth2ClientAction}
                    rotate={rotateOAuth2SecretAction}
                    turnOff={turnOffOAuth2Action}
                    linkId={link.id}
                    linkName={link.name}
                    client={oauth2 ? { ...oauth2, secretRotatedAt: new Date(oauth2.secretRotatedAt) } : null}
                    scopeWords={SCOPE_WORDS}
                    endpoints={{ authorize: `${baseUrl}/rest/oauth2/latest/authorize`, token: `${baseUrl}/rest/oauth2/latest/token`, metadata: `${baseUrl}/.well-known/oauth-authorization-server` }}
                  />
                  {oauth2 ? (
                    <div className="mt-4 flex flex-wrap items-center justify-between gap-2 text-sm">
                      <span data-testid="oauth2-grant-count">
                        {oauth2Grants.length} {oauth2Grants.length === 1 ? "person has" : "people have"} authorized {link.name} (OAuth 2.0).
                      </span>
                      {oauth2Grants.length > 0 ? <RevokeButton action={revokeLinkOAuth2GrantsAction} fields={{ id: link.id }} label="Revoke all" ariaLabel={`Revoke every OAuth 2.0 authorization of ${link.name}`} /> : null}
                    </div>
                  ) : null}
                  {oauth2Grants.length > 0 ? (
                    <Table aria-label="OAuth 2.0 authorizations of this application" className="mt-3">
                      <thead>
                        <tr>
                          <Th>Person</Th>
                          <Th>Scopes</Th>
                          <Th>Authorized</Th>
                          <Th>Last call</Th>
                          <Th />
                        </tr>
                      </thead>
                      <tbody>
                        {oauth2Grants.map((g) => (
                          <tr key={g.id}>
                            <Td>{g.username}</Td>
                            <Td>{g.scopes.join(", ")}</Td>
                            <Td>
                              <Time value={g.authorizedAt} />
                            </Td>
                            <Td>
                              <Time value={g.lastUsedAt} fallback="Never" />
                            </Td>
                            <Td>
                              <RevokeButton action={revokeLinkOAuth2GrantsAction} fields={{ id: link.id, grantId: g.id }} label="Revoke" ariaLabel={`Revoke the authorization of ${g.username}`} />
                            </Td>
                          </tr>
                        ))}
                      </tbody>
                    </Table>
                  ) : null}
                </>
              ),
            },
            {
              id: "credential",
              title: "Credential and TLS",
              content: link.rpcUrl === null ? (
                <IncomingOnlyNote name={link.name} />
              ) : (
                <>
                  <CredentialForm action={saveCredentialAction} link={link} redirectUrl={oauth2RedirectUrl(baseUrl, link.id)} />
                  <div className="mt-6 border-t border-border pt-4">
                    <CertificateRequestForm action={requestCertificateAction} link={link} />
                  </div>
                </>
              ),
            },
            {
              id: "details",
              title: "Name and URLs",
              heading: false,
              content: <EditLinkForm action={editLinkAction} link={link} types={LINK_TYPES.map((t) => ({ value: t, label: linkTypeLabel(t) }))} open />,
            },
            {
              id: "danger",
              title: "Danger zone",
              content: (
                <div className="flex flex-col gap-4">
                  <div className="flex flex-col gap-2">
                    <p className="text-sm text-muted">{link.enabled ? "Disabling stops both directions at once; every setting is kept." : "The link is disabled: enabling it resumes both directions."}</p>
                    <div>
                      <EnableLinkButton action={setLinkEnabledAction} id={link.id} version={link.version} enabled={link.enabled} />
                    </div>
                  </div>
                  <ResetDirection action={resetLinkAction} id={link.id} direction="outgoing" />
                  <ResetDirection action={resetLinkAction} id={link.id} direction="incoming" />
                  <div id="delete" className="rounded-md border border-danger/40 p-3">
                    <h3 className="mb-2 text-base font-semibold">Delete this link</h3>
                    <p className="mb-4 text-sm text-muted">Deletes the link and revokes what was issued through it. The remote keeps its side until its admin removes it.</p>
                    <DeleteLink action={deleteLinkAction} id={link.id} name={link.name} />
                  </div>
                </div>
              ),
            },
          ]}
        />
      ) : (
        <Card className="mt-6">
          <RemoteAdminEnters identity={identity} />
        </Card>
      )}
    </>
  );
}

/** What the remote admin enters for this app on their side (incoming there): this app's own consumer. */
function RemoteAdminEnters({ identity }: { identity: { consumerKey: string; consumerName: string; publicKeyBase64: string; publicKeyPem: string } }) {
  return (
    <Disclosure className="mt-6 border-t border-border pt-4" triggerClassName="font-semibold" label="What the remote admin enters for this app (incoming, on their side)">
      <div className="mt-3 flex flex-col gap-3">
        <p className="text-sm text-muted">
          This app&apos;s own consumer, the same for every link (
          <Link href="/settings" className="text-accent underline">
            Settings
          </Link>{" "}
          rotates its key). A remote that can fetch it (another Applink Admin, or Jira&apos;s &quot;Fetch&quot;) needs none of this.
        </p>
        <CopyField label="Consumer key" value={identity.consumerKey} />
        <CopyField label="Consumer name" value={identity.consumerName} />
        <CopyField label="Public key (base64, as Jira asks)" value={identity.publicKeyBase64} />
        <CopyField label="Public key (PEM)" value={identity.publicKeyPem} multiline />
      </div>
    </Disclosure>
  );
}

/** In place of the outgoing settings of an external application that only calls in. */
function IncomingOnlyNote({ name }: { name: string }) {
  return (
    <p className="text-sm">
      {name} only calls in (OAuth 2.0): it has no RPC URL, so this app sends it nothing. Give the link an RPC URL under Name and URLs to call it too.
    </p>
  );
}
