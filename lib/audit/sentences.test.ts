import { describe, expect, it } from "vitest";
import { auditActionLabel, auditSentence, meaningfulChanges } from "@/lib/audit/sentences";

const event = (action: string, before: object | null, after: object | null, targetLabel = "Second") => ({ action, targetLabel, targetId: "l1", before: before && JSON.stringify(before), after: after && JSON.stringify(after) });

describe("the audit log in sentences", () => {
  it("says what was done to what, and each change as a sentence: no codes, no double negatives", () => {
    expect(auditSentence(event("link.outgoing", { out3lo: true, version: 3 }, { out3lo: false, version: 4 }))).toEqual({ headline: "Outgoing authentication of “Second” changed", changes: ["Outgoing 3LO turned off"] });
    expect(auditSentence(event("link.update", { disabled: true }, { disabled: false })).changes).toEqual(["Link enabled"]);
    expect(auditSentence(event("link.update", { disabled: false }, { disabled: true })).changes).toEqual(["Link disabled"]);
    expect(auditSentence(event("link.update", { rpcUrl: "http://a" }, { rpcUrl: "http://b" })).changes).toEqual(["RPC URL changed from “http://a” to “http://b”"]);
    expect(auditSentence(event("link.incoming", { inExecuteAs: "bob" }, { inExecuteAs: null })).changes).toEqual(["Incoming 2LO runs as cleared (was “bob”)"]);
  });

  it("a creation lists what it was created with, not every default", () => {
    const created = auditSentence(event("link.create", null, { name: "Second", type: "jira", out3lo: true, out2lo: false, remoteAppId: null, version: 1 }));
    expect(created).toEqual({ headline: "Link “Second” created", changes: ["Name: “Second”", "Type: “jira”", "Outgoing 3LO on"] });
  });

  it("a save that changed only bookkeeping changed nothing", () => {
    expect(meaningfulChanges({ version: 1, out3lo: true }, { version: 2, out3lo: true })).toEqual([]);
  });

  it("names actions in words for the filter, and keeps an unknown one as it is", () => {
    expect(auditActionLabel("link.outgoing")).toBe("Outgoing authentication changed");
    expect(auditActionLabel("token.revoke")).toBe("API token revoked");
    expect(auditActionLabel("something.new")).toBe("something.new");
  });
});
