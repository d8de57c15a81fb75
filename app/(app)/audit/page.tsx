import type { Metadata } from "next";
import Link from "next/link";
import { AdminOnly } from "@/components/shell/app-shell";
import { buttonVariants } from "@/components/ui/button";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { inputClass } from "@/components/ui/field";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { auditActions, auditFilterSchema, listAuditEvents } from "@/lib/audit/query";
import { requirePageCaller } from "@/lib/auth/server-caller";
import { auditFieldLabel, auditValue } from "@/lib/audit/labels";
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
        <label className="flex flex-col gap-1 text-sm font-medium">
          Actor
          <input name="actor" defaultValue={filter.actor} placeholder="username" className={inputClass} />
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium">
          Action
          <select name="action" defaultValue={filter.action ?? ""} className={inputClass}>
            <option value="">Any</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium">
          Target
          <input name="target" defaultValue={filter.target} placeholder="link, user or id" className={inputClass} />
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium">
          From
          <input type="date" name="from" defaultValue={filter.from} className={inputClass} />
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium">
          To
          <input type="date" name="to" defaultValue={filter.to} className={inputClass} />
        </label>
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
                <Th>Actor</Th>
                <Th>Action</Th>
                <Th>Target</Th>
                <Th>Before → after</Th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id}>
                  <Td className="whitespace-nowrap">
                    <Time value={event.createdAt} />
                  </Td>
                  <Td>
                    {event.actorUsername} <span className="text-xs text-muted">({event.via})</span>
                  </Td>
                  <Td className="font-mono">{event.action}</Td>
                  <Td>
                    {event.targetType}:{" "}
                    {event.targetId ? (
                      <Link href={`/audit?${new URLSearchParams({ target: event.targetId })}`} className="text-accent hover:underline" title="Only this target's events">
                        {event.targetLabel ?? event.targetId}
                      </Link>
                    ) : (
                      (event.targetLabel ?? "—")
                    )}
                  </Td>
                  <Td>
                    <Change before={event.before} after={event.after} />
                  </Td>
                </tr>
              ))}
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

/**
 * The fields that changed, in words (`Outgoing 3LO: off → on`). A creation is one summary line
 * that expands to the values it was created with.
 */
function Change({ before, after }: { before: string | null; after: string | null }) {
  const b = before ? (JSON.parse(before) as Record<string, unknown>) : {};
  const a = after ? (JSON.parse(after) as Record<string, unknown>) : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  if (keys.length === 0) return <span className="text-muted">—</span>;
  if (!before) {
    const set = keys.filter((k) => a[k] !== null && a[k] !== false && a[k] !== "");
    return (
      <details>
        <summary className="cursor-pointer text-xs">Created with {set.length} values set</summary>
        <ul className="mt-1 text-xs">
          {set.map((k) => (
            <li key={k}>
              {auditFieldLabel(k)}: <span className="font-mono">{auditValue(a[k])}</span>
            </li>
          ))}
        </ul>
      </details>
    );
  }
  return (
    <ul className="text-xs">
      {keys.map((k) => (
        <li key={k}>
          {auditFieldLabel(k)}: <span className="font-mono">{k in b ? auditValue(b[k]) : "none"}</span> → <span className="font-mono">{k in a ? auditValue(a[k]) : "none"}</span>
        </li>
      ))}
    </ul>
  );
}
