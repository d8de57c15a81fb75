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

describe("the audit log, deletions and outcomes", () => {
  it("a deletion is one sentence; a reset's nested outcome reads field by field", () => {
    expect(auditSentence(event("link.delete", { name: "Second", out3lo: true }, null))).toEqual({ headline: "Link “Second” deleted", changes: [] });
    const reset = auditSentence(event("link.reset", null, { direction: "outgoing", outgoing: { accessTokensDiscarded: 2 } }));
    expect(reset.headline).toBe("“Second” reset");
    expect(reset.changes).toEqual(["Direction: “outgoing”", "Access tokens discarded: “2”"]);
  });
});

describe("the audit log, fields that hold JSON text", () => {
  it("reads a credential's or certificate's recorded details as fields, not as JSON", () => {
    const said = auditSentence(event("link.outgoing", { outSchemeInfo: null }, { outSchemeInfo: JSON.stringify({ preview: "••••oken" }), outClientCertInfo: JSON.stringify({ subject: "CN=client", validTo: "2027-01-01" }) }));
    expect(said.changes.join(" | ")).not.toMatch(/[{}]/);
    expect(said.changes).toEqual(expect.arrayContaining(["Preview: “••••oken”", "Subject: “CN=client”", "Valid to: “2027-01-01”"]));
  });
});
