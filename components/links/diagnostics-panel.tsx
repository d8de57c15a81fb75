import { Disclosure } from "@/components/ui/disclosure";
import { buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Lozenge } from "@/components/ui/lozenge";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { CheckNowButton, FixButton } from "@/components/links/diagnostics-actions";
import { StatusLozenge } from "@/components/links/status-lozenge";
import type { ActionResult } from "@/lib/actions/define-action";
import type { LinkStatusView } from "@/lib/status/store";
import { asSentence } from "@/lib/status/words";

type Action = (s: ActionResult | null, f: FormData) => Promise<ActionResult>;

const CHECK_LABEL: Record<string, string> = {
  enabled: "Enabled",
  reach: "Reach (DNS, TCP, TLS)",
  identity: "Identity and applinks version",
  clock: "Clock",
  "remote-view": "The remote's view of us",
  "auth-levels": "Authentication levels, both ends",
  "signed-call": "Signed call",
  incoming: "Incoming calls",
  legacy: "Deprecated authentication",
};
const RESULT_TONE = { pass: "success", warn: "warning", fail: "danger", skipped: "neutral" } as const;

/**
 * The link's diagnosis: its status with the cause and the fix, the fixes as buttons (here) or links
 * (on the remote's own page), each check with its result, time and message, and what real traffic
 * met since. Admins get "Check now" and the fixes.
 */
export function DiagnosticsPanel({ linkId, view, isAdmin, checkAction, fixAction }: { linkId: string; view: LinkStatusView; isAdmin: boolean; checkAction: Action; fixAction: Action }) {
  return (
    <Card id="diagnostics" aria-labelledby="diagnostics-heading" className="mb-6">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <h2 id="diagnostics-heading" className="flex items-center gap-2 text-lg font-semibold">
          Diagnostics <StatusLozenge status={view.status} />
        </h2>
        <p className="text-sm text-muted">
          Last checked: <Time value={view.checkedAt} fallback="never" />
          {view.nextCheckAt ? (
            <>
              {" "}
              · next check <Time value={view.nextCheckAt} />
            </>
          ) : null}
        </p>
      </div>
      <p className={view.warning ? "text-sm font-medium text-warning" : "text-sm"} data-testid="status-cause">
        {asSentence(view.cause)}
        {view.problem ? (
          <>
            {" "}
            <span className="font-mono text-xs">({view.problem})</span>
          </>
        ) : null}
      </p>
      {view.fix ? (
        <p className="mt-1 text-sm">
          <strong>Fix:</strong> {view.fix}
        </p>
      ) : null}
      <div className="mt-3 flex flex-wrap items-start gap-2">
        {view.actions.map((action) =>
          "href" in action ? (
            <a key={action.kind} href={action.href} className={buttonVariants({ size: "sm" })}>
              {action.label}
            </a>
          ) : isAdmin ? (
            <FixButton key={action.kind} action={fixAction} id={linkId} fix={action.apply} label={action.label} />
          ) : null,
        )}
        {isAdmin ? <CheckNowButton action={checkAction} id={linkId} /> : null}
      </div>
      <ul className="mt-3 text-sm text-muted">
        <li>
          Requests through the link: {view.traffic.okAt ? <>last accepted <Time value={view.traffic.okAt} /></> : "none accepted yet"}
          {view.traffic.lastProblem ? (
            <>
              ; last refused with <span className="font-mono">{view.traffic.lastProblem}</span> at <Time value={view.traffic.lastProblemAt} />
            </>
          ) : null}
          .
        </li>
        <li>
          Calls from the remote: {view.incoming.okAt ? <>last accepted <Time value={view.incoming.okAt} /></> : "none accepted yet"}
          {view.incoming.problem ? (
            <>
              ; last refused with <span className="font-mono">{view.incoming.problem}</span> at <Time value={view.incoming.problemAt} />
            </>
          ) : null}
          .
        </li>
      </ul>
      {view.checks.length ? (
        <Disclosure className="mt-3" label={`Checks (${view.checks.length})`} defaultOpen={view.status !== "CONNECTED"}>
          <ul className="mt-2 flex flex-col gap-2 md:hidden" aria-label="Checks, one by one">
            {view.checks.map((check) => (
              <li key={check.name} className="rounded-md border border-border p-2 text-sm">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <span className="font-medium">{CHECK_LABEL[check.name] ?? check.name}</span>
                  <span className="flex items-center gap-2">
                    <Lozenge tone={RESULT_TONE[check.result]}>{check.result}</Lozenge>
                    <span className="text-xs text-muted">{check.ms} ms</span>
                  </span>
                </div>
                <p className="mt-1 [overflow-wrap:anywhere]">{check.message}</p>
              </li>
            ))}
          </ul>
          <div className="hidden md:block">
          <Table aria-label="Checks" className="mt-2">
            <thead>
              <tr>
                <Th>Check</Th>
                <Th>Result</Th>
                <Th>Time</Th>
                <Th>Message</Th>
              </tr>
            </thead>
            <tbody>
              {view.checks.map((check) => (
                <tr key={check.name} data-check={check.name}>
                  <Td>{CHECK_LABEL[check.name] ?? check.name}</Td>
                  <Td>
                    <Lozenge tone={RESULT_TONE[check.result]}>{check.result}</Lozenge>
                  </Td>
                  <Td className="whitespace-nowrap">{check.ms} ms</Td>
                  <Td>{check.message}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          </div>
        </Disclosure>
      ) : null}
    </Card>
  );
}
