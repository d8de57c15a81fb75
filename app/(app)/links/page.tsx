import { Time } from "@/components/ui/time";
import { LinkTypeIcon } from "@/components/links/type-icon";
import type { Metadata } from "next";
import Link from "next/link";
import { incomingSummary, outgoingSummary } from "@/components/links/auth-summary";
import { buttonVariants } from "@/components/ui/button";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { SelectField, TextField } from "@/components/ui/field";
import { Lozenge } from "@/components/ui/lozenge";
import { Table, Td, Th } from "@/components/ui/table";
import { requirePageCaller } from "@/lib/api/server-caller";
import { db } from "@/lib/db";
import { countNeedingAttention, listLinks } from "@/lib/links/find-link";
import { LINK_STATUSES, LINK_TYPES, linkTypeLabel, listLinksSchema } from "@/lib/links/schemas";
import { STATUS_LABEL, StatusLozenge } from "@/components/links/status-lozenge";
import { StatusTimeline } from "@/components/links/status-timeline";
import { recentChanges } from "@/lib/history/status-history";
import { timelineOf } from "@/lib/history/timeline";
import { linkStatusView, statusRows, type LinkStatusView } from "@/lib/status/store";
import { LinkRowActions } from "@/components/links/link-row-actions";
import { checkLinkAction, setLinkEnabledAction, setPrimaryAction } from "./actions";
import { pagePublicBaseUrl } from "@/lib/api/page-url";
import { linkJson } from "@/lib/links/serialize";

export const metadata: Metadata = { title: "Links" };

/** The status lozenge, leading to the link's diagnostics (its cause in the tooltip), a working link's warning, and when it was last checked. */
function StatusLink({ id, name, status, strip }: { id: string; name: string; status: LinkStatusView; strip?: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <Link href={`/links/${id}#diagnostics`} aria-label={`${name} status: ${STATUS_LABEL[status.status]}${status.warning ? ", with a warning" : ""}`} title={status.cause} className="whitespace-nowrap">
        <StatusLozenge status={status.status} />
      </Link>
      {status.warning ? (
        <span className="text-xs text-warning" data-testid="status-warning">
          Warning: {status.warning}
        </span>
      ) : null}
      <span className="whitespace-nowrap text-xs text-muted">
        Checked <Time value={status.checkedAt} fallback="never" />
      </span>
      {strip}
    </div>
  );
}

export default async function LinksPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const caller = await requirePageCaller("/links");
  const raw = await searchParams;
  const filter = listLinksSchema.parse(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v || undefined])));
  const [{ links, total, page, pages }, attention, base] = await Promise.all([listLinks(db, filter), countNeedingAttention(db), pagePublicBaseUrl()]);
  // Stored results only: loading the list never waits on the network.
  const rows = await statusRows(db, links.map((l) => l.id));
  const rowsOf = links.map((row) => ({ link: linkJson(row), status: linkStatusView(row, rows.get(row.id) ?? null, base) }));
  // Each link's last 7 days, as a small strip (one query for the page).
  const now = new Date();
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  const recent = await recentChanges(db, rowsOf.map(({ link, status }) => ({ id: link.id, status: status.status })), weekAgo);
  const stripOf = (link: { id: string; name: string }) => {
    const seen = recent.get(link.id);
    return seen ? <StatusTimeline compact timeline={timelineOf(seen.changes, seen.statusAtSince, weekAgo, now)} since={weekAgo} now={now} days={7} name={link.name} /> : null;
  };
  const isAdmin = caller.role === "ADMIN";
  const needing = attention.reduce((sum, c) => sum + c.count, 0);
  const query = (p: number) =>
    new URLSearchParams({ ...(filter.q ? { q: filter.q } : {}), ...(filter.type ? { type: filter.type } : {}), ...(filter.status ? { status: filter.status } : {}), page: String(p) }).toString();
  const filtered = Boolean(filter.q || filter.type || filter.status);
  const deleted = typeof raw.deleted === "string" ? raw.deleted : null;
  return (
    <>
      {deleted ? (
        <p role="status" className="mb-4 rounded-md bg-success/10 px-3 py-2 text-sm text-success">
          Deleted “{deleted}”.
        </p>
      ) : null}
      <PageHeader
        title="Application links"
        description="Links between this app and Jira, Confluence, Bitbucket, Bamboo or any OAuth 1.0a service, with the authentication used in each direction."
        actions={
          isAdmin ? (
            <Link href="/links/new" className={buttonVariants()}>
              Create link
            </Link>
          ) : null
        }
      />
      {needing > 0 ? (
        <p className="mb-4 rounded-md bg-warning/10 px-3 py-2 text-sm text-warning" data-testid="attention-banner">
          {needing === 1 ? "1 link needs" : `${needing} links need`} attention:{" "}
          {attention.map(({ status, count }, i) => (
            <span key={status}>
              {i > 0 ? ", " : null}
              <Link href={`/links?status=${status}`} className="underline">
                {count} {STATUS_LABEL[status].toLowerCase()}
              </Link>
            </span>
          ))}
          .
        </p>
      ) : null}
      {total === 0 && !filtered ? (
        <EmptyState title="No application links yet">
          {isAdmin
            ? "Enter a remote application's URL: this app reads its applinks manifest (name, type, application id) and its OAuth consumer, turns on 3LO and 2LO toward it and 3LO from it, and checks the link at once. What remains on either side is the diagnosis' next step."
            : "An administrator has not linked any application yet."}
        </EmptyState>
      ) : (
        <>
          <form method="get" className="mb-4 flex flex-wrap items-end gap-3" aria-label="Filter links">
            <TextField id="links-q" name="q" label="Search" defaultValue={filter.q} placeholder="name or URL" />
            <SelectField id="links-type" name="type" label="Type" defaultValue={filter.type ?? ""}>
              <option value="">Any</option>
              {LINK_TYPES.map((t) => (
                <option key={t} value={t}>
                  {linkTypeLabel(t)}
                </option>
              ))}
            </SelectField>
            <SelectField id="links-status" name="status" label="Status" defaultValue={filter.status ?? ""}>
              <option value="">Any</option>
              {LINK_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABEL[s]}
                </option>
              ))}
            </SelectField>
            <button type="submit" className={buttonVariants({ variant: "secondary" })}>
              Filter
            </button>
          </form>
          {links.length === 0 ? (
            <EmptyState title="No links match">Try another search or type.</EmptyState>
          ) : (
            <>
              {/* Wide screens: a table; phones: one card per link (same content, same actions). */}
              <div className="hidden md:block">
                <Table aria-label="Application links">
                  <thead>
                    <tr>
                      <Th>Name</Th>
                      <Th>Status</Th>
                      <Th>URLs</Th>
                      <Th>Outgoing</Th>
                      <Th>Incoming</Th>
                      {isAdmin ? <Th>Actions</Th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {rowsOf.map(({ link, status }) => (
                      <tr key={link.id} data-testid={`link-row-${link.name}`}>
                        <Td>
                          <span className="flex flex-wrap items-center gap-2">
                            <LinkTypeIcon type={link.type} label={linkTypeLabel(link.type)} />
                            <Link href={`/links/${link.id}`} className="font-medium text-accent hover:underline">
                              {link.name}
                            </Link>
                            {link.primary ? <Lozenge tone="info">Primary</Lozenge> : null}
                          </span>
                        </Td>
                        <Td>
                          <StatusLink id={link.id} name={link.name} status={status} strip={stripOf(link)} />
                        </Td>
                        <Td className="font-mono text-xs">
                          <div>{link.rpcUrl ?? <span className="font-sans text-muted">Incoming only</span>}</div>
                          {link.displayUrl && link.displayUrl !== link.rpcUrl ? <div className="text-muted">{link.displayUrl}</div> : null}
                        </Td>
                        <Td>{outgoingSummary(link.outgoing)}</Td>
                        <Td>{incomingSummary(link.incoming)}</Td>
                        {isAdmin ? (
                          <Td>
                            <LinkRowActions link={link} setPrimary={setPrimaryAction} setEnabled={setLinkEnabledAction} check={checkLinkAction} />
                          </Td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </Table>
              </div>
              <ul className="flex flex-col gap-3 md:hidden" aria-label="Application links">
                {rowsOf.map(({ link, status }) => (
                  <li key={link.id} data-testid={`link-card-${link.name}`} className="rounded-lg border border-border bg-surface p-4">
                    <div className="flex flex-wrap items-center justify-between gap-2">
                      <Link href={`/links/${link.id}`} className="font-medium text-accent hover:underline">
                        {link.name}
                      </Link>
                      <StatusLink id={link.id} name={link.name} status={status} strip={stripOf(link)} />
                    </div>
                    <p className="mt-1 text-sm text-muted">
                      {linkTypeLabel(link.type)}
                      {link.primary ? " · primary" : ""}
                    </p>
                    <p className="mt-1 break-all font-mono text-xs">{link.rpcUrl ?? "Incoming only"}</p>
                    <p className="mt-2 text-sm">
                      Outgoing: {outgoingSummary(link.outgoing)} · Incoming: {incomingSummary(link.incoming)}
                    </p>
                    {isAdmin ? (
                      <div className="mt-2">
                        <LinkRowActions link={link} setPrimary={setPrimaryAction} setEnabled={setLinkEnabledAction} check={checkLinkAction} />
                      </div>
                    ) : null}
                  </li>
                ))}
              </ul>
            </>
          )}
          <nav aria-label="Pages" className="mt-4 flex items-center gap-3 text-sm">
            <span className="text-muted">
              {total} links · page {page} of {pages}
            </span>
            {page > 1 ? <Link href={`/links?${query(page - 1)}`}>Previous</Link> : null}
            {page < pages ? <Link href={`/links?${query(page + 1)}`}>Next</Link> : null}
          </nav>
        </>
      )}
    </>
  );
}
