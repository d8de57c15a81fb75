import type { Metadata } from "next";
import Link from "next/link";
import { AdminOnly } from "@/components/shell/app-shell";
import { buttonVariants } from "@/components/ui/button";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { SelectField, TextField } from "@/components/ui/field";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { auditActions, auditFilterSchema, listAuditEvents } from "@/lib/audit/query";
import { requirePageCaller } from "@/lib/api/server-caller";
import { auditActionLabel, auditSentence } from "@/lib/audit/sentences";
import { db } from "@/lib/db";

export const metadata: Metadata = { title: "Audit log" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  const caller = await requirePageCaller("/audit");
  if (caller.role !== "ADMIN") return <AdminOnly />;
  const raw = await searchParams;
  const filter = auditFilterSchema.parse(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v || undefined])));
  const [{ events, total, page, pages }, actions] = await Promise.all([listAuditEvents(db, filter), auditActions(db)]);
  const query = (p: number) => new URLSearchParams({ ...stringEntries(filter), page: String(p) }).toString();
  return (
    <>
      <PageHeader title="Audit log" description="Every administrative change: who, when, what, before and after. Secrets are never recorded." />
      <form method="get" className="mb-6 flex flex-wrap items-end gap-3" aria-label="Filter audit log">
        <TextField id="audit-actor" name="actor" label="Person" defaultValue={filter.actor} placeholder="username" />
        <SelectField id="audit-action" name="action" label="Action" defaultValue={filter.action ?? ""}>
          <option value="">Any</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {auditActionLabel(a)}
            </option>
          ))}
        </SelectField>
        <TextField id="audit-target" name="target" label="Link or user" defaultValue={filter.target} placeholder="name or id" />
        <TextField id="audit-from" name="from" type="date" label="From" defaultValue={filter.from} />
        <TextField id="audit-to" name="to" type="date" label="To" defaultValue={filter.to} />
        <button type="submit" className={buttonVariants({ variant: "secondary" })}>
          Filter
        </button>
        <Link href="/audit" className={buttonVariants({ variant: "ghost" })}>
          Clear
        </Link>
      </form>
      {events.length === 0 ? (
        <EmptyState title="No events match">Administrative changes appear here as they happen.</EmptyState>
      ) : (
        <>
          <Table aria-label="Audit events">
            <thead>
              <tr>
                <Th>When</Th>
                <Th>Who</Th>
                <Th>What</Th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => {
                const said = auditSentence(event);
                return (
                  <tr key={event.id}>
                    <Td className="whitespace-nowrap align-top">
                      <Time value={event.createdAt} />
                    </Td>
                    <Td className="align-top">
                      {event.actorUsername} <span className="text-xs text-muted">({VIA[event.via] ?? event.via})</span>
                    </Td>
                    <Td className="align-top">
                      <p className="font-medium">{said.headline}</p>
                      {said.changes.length ? (
                        <ul className="mt-1 list-disc pl-5 text-xs [overflow-wrap:anywhere]">
                          {said.changes.map((change, i) => (
                            <li key={i}>{change}</li>
                          ))}
                        </ul>
                      ) : null}
                      {event.targetId ? (
                        <Link href={`/audit?${new URLSearchParams({ target: event.targetId })}`} className="mt-1 inline-block text-xs text-accent underline">
                          Only the events of “{event.targetLabel ?? event.targetId}”
                        </Link>
                      ) : null}
                    </Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
          <nav aria-label="Pages" className="mt-4 flex items-center gap-3 text-sm">
            <span className="text-muted">
              {total} events · page {page} of {pages}
            </span>
            {page > 1 ? <Link href={`/audit?${query(page - 1)}`}>Newer</Link> : null}
            {page < pages ? <Link href={`/audit?${query(page + 1)}`}>Older</Link> : null}
          </nav>
        </>
      )}
    </>
  );
}

function stringEntries(filter: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => [k, String(v)]));
}

/** How a change was made, in words. */
const VIA: Record<string, string> = {
  session: "in the browser",
  token: "with an API token",
  cli: "from the command line",
  system: "by the app",
  "oauth-2lo": "through a linked application",
  "oauth-2loi": "through a linked application",
  "oauth-3lo": "through a linked application",
  "connect-jwt": "through a linked application",
};
