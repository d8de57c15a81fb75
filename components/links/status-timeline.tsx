import type { LinkStatusCode } from "@/lib/links/schemas";
import type { Timeline } from "@/lib/history/timeline";
import { STATUS_LABEL, STATUS_TONE } from "@/lib/status/words";

/** Each tone's fill: the lozenges' colours, so a stretch reads as its status does elsewhere. */
const FILL: Record<string, string> = { success: "fill-success", danger: "fill-danger", warning: "fill-warning", neutral: "fill-muted/30" };

const SOURCE_WORDS: Record<string, string> = { admin: "Check now", traffic: "a request through the link", background: "a scheduled check" };
const label = (status: string) => STATUS_LABEL[status as LinkStatusCode] ?? status;
const fillOf = (status: string) => FILL[STATUS_TONE[status as LinkStatusCode] ?? "neutral"];
const percent = (share: number | null) => (share === null ? "not known" : `${(Math.floor(share * 1000) / 10).toFixed(1)} %`);
const when = (at: Date) => at.toISOString().slice(0, 16).replace("T", " ") + " UTC";

/**
 * A link's status over a window as a strip coloured by status, the changes marked, with the same
 * facts in words: a summary (time CONNECTED, number of changes) for screen readers and everyone,
 * and, on the full timeline, the changes as a table. An SVG of a few rectangles: no chart library.
 */
export function StatusTimeline({ timeline, since, now, days, compact = false, name }: { timeline: Timeline; since: Date; now: Date; days: number; compact?: boolean; name: string }) {
  const span = Math.max(1, now.getTime() - since.getTime());
  const x = (at: Date) => ((at.getTime() - since.getTime()) / span) * 1000;
  const summary = `${name}, last ${days} days: connected ${percent(timeline.connectedShare)} of the time checked, ${timeline.changes.length} ${timeline.changes.length === 1 ? "change" : "changes"}${timeline.stretches.length ? `; now ${label(timeline.stretches.at(-1)!.status)}` : ""}.`;
  const strip = (
    <svg viewBox="0 0 1000 20" preserveAspectRatio="none" className={compact ? "h-2 w-24" : "h-5 w-full"} role="img" aria-label={summary}>
      {timeline.stretches.map((s) => (
        <rect key={s.from.toISOString()} x={x(s.from)} y={0} width={Math.max(1, x(s.to) - x(s.from))} height={20} className={fillOf(s.status)}>
          {compact ? null : <title>{`${label(s.status)}: ${when(s.from)} – ${when(s.to)}`}</title>}
        </rect>
      ))}
      {compact ? null : timeline.changes.map((c) => <rect key={`m-${c.at.toISOString()}`} x={x(c.at) - 1.5} y={0} width={3} height={20} className="fill-fg" />)}
    </svg>
  );
  if (compact) return <span className="block" data-testid="status-strip">{strip}</span>;
  return (
    <figure className="flex flex-col gap-2" data-testid="status-timeline">
      {strip}
      <div className="flex justify-between text-xs text-muted" aria-hidden="true">
        <span>{since.toISOString().slice(0, 10)}</span>
        <span>now</span>
      </div>
      <figcaption className="text-sm">
        Connected <strong>{percent(timeline.connectedShare)}</strong> of the time checked in the last {days} days; {timeline.changes.length} {timeline.changes.length === 1 ? "change" : "changes"}.
      </figcaption>
      {timeline.changes.length ? (
        <details className="text-sm">
          <summary className="cursor-pointer">Changes</summary>
          <div className="mt-2 overflow-x-auto">
            <table className="w-full text-left text-xs" aria-label={`Status changes of ${name}`}>
              <thead>
                <tr>
                  <th className="py-1 pr-3 font-medium">When</th>
                  <th className="py-1 pr-3 font-medium">From → to</th>
                  <th className="py-1 pr-3 font-medium">Noticed by</th>
                </tr>
              </thead>
              <tbody>
                {[...timeline.changes].reverse().map((c) => (
                  <tr key={c.at.toISOString()} className="border-t border-border">
                    <td className="whitespace-nowrap py-1 pr-3">{when(c.at)}</td>
                    <td className="py-1 pr-3">
                      {c.from ? label(c.from) : "first check"} → {label(c.to)}
                    </td>
                    <td className="py-1 pr-3">{SOURCE_WORDS[c.source ?? ""] ?? c.source ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ) : null}
    </figure>
  );
}
