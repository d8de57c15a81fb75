import { describe, expect, it } from "vitest";
import { deriveStatus, type Check } from "@/lib/status/derive";
import { linkStatusView } from "@/lib/status/store";
import type { Link, LinkStatus } from "@/lib/generated/prisma/client";

const pass = (name: Check["name"]): Check => ({ name, result: "pass", ms: 1, message: `${name} passed` });
const expiring: Check = { name: "reach", result: "warn", ms: 3, message: "127.0.0.1 answered (HTTP 200); our client certificate (CN=svc) expires on 2026-12-13.", fix: "Renew the client certificate before then and upload it (Outgoing: client certificate)." };

describe("a working link's warning", () => {
  it("is the headline: CONNECTED, with the warning, its date and its fix (not 'Every check passed')", () => {
    const diagnosis = deriveStatus([pass("enabled"), expiring, pass("signed-call")]);
    expect(diagnosis).toMatchObject({ status: "CONNECTED", cause: `The link works, with a warning: ${expiring.message}`, fix: expiring.fix });
    expect(deriveStatus([pass("enabled"), pass("reach")]).cause).toBe("Every check passed: the link works end to end.");
    // A warning that changes the status is that status, not a warning beside CONNECTED.
    expect(deriveStatus([pass("enabled"), { ...expiring, status: "AUTHENTICATE" }]).status).toBe("AUTHENTICATE");
  });

  it("is what the list shows beside the lozenge, only while the link is CONNECTED", () => {
    const link = { id: "l1", disabled: false, lastProblem: null, lastProblemAt: null } as unknown as Link;
    const row = (status: string) => ({ linkId: "l1", status, cause: "c", fix: "", action: "[]", problem: null, checks: JSON.stringify([pass("enabled"), expiring]), checkedAt: new Date(), checkedById: null, trafficOkAt: null, incomingOkAt: null, incomingProblem: null, incomingProblemAt: null, nextCheckAt: null, failedChecks: 0 }) as LinkStatus;
    expect(linkStatusView(link, row("CONNECTED"), "http://x").warning).toBe(expiring.message);
    expect(linkStatusView(link, row("NETWORK_ERROR"), "http://x").warning).toBeNull();
  });
});
