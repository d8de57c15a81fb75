import { describe, expect, it } from "vitest";
import { proposalFor } from "@/lib/status/proposal";

const off = { threeLegged: false, twoLegged: false, impersonation: false };
const link = { name: "Second", rpcUrl: "http://127.0.0.2:3000/app", displayUrl: "https://second.example.test" };
const ours = { outgoing: { threeLegged: true, twoLegged: true, impersonation: false }, incoming: off };

describe("proposalFor (issue 21: a page shows only what the app itself said)", () => {
  it("takes a proposal from the link's own remote, showing only what would change", () => {
    const view = proposalFor({ from: "http://127.0.0.2:3000", back: "http://127.0.0.2:3000/links/x", out: "3lo,2lo", in: "3lo" }, link, ours);
    expect(view).toEqual({ kind: "proposal", from: "http://127.0.0.2:3000", back: "http://127.0.0.2:3000/links/x", outgoing: undefined, incoming: { threeLegged: true, twoLegged: false, impersonation: false }, refetch: false });
    expect(proposalFor({ from: "https://second.example.test/x", refetch: "1" }, link, ours)).toMatchObject({ kind: "proposal", from: "https://second.example.test", refetch: true });
  });

  it("refuses a proposal from any other origin, without repeating it", () => {
    for (const from of ["http://evil.example", "http://127.0.0.2:3001", "javascript:alert(1)", undefined]) {
      const view = proposalFor({ ...(from ? { from } : {}), back: "http://evil.example/p", in: "3lo,2lo,2loi", out: "none" }, link, ours);
      expect(view?.kind).toBe("refused");
      expect(JSON.stringify(view)).not.toContain("evil");
    }
  });

  it("offers the way back only to the proposing origin, and lists nothing when nothing would change", () => {
    expect(proposalFor({ from: "http://127.0.0.2:3000", back: "http://evil.example/p", in: "3lo" }, link, ours)).toMatchObject({ kind: "proposal", back: null });
    expect(proposalFor({ from: "http://127.0.0.2:3000", out: "3lo,2lo", in: "none" }, link, ours)).toEqual({ kind: "proposal", from: "http://127.0.0.2:3000", back: null, outgoing: undefined, incoming: undefined, refetch: false });
    expect(proposalFor({ from: "http://127.0.0.2:3000", out: "3lo,rm -rf" }, link, ours)).toMatchObject({ kind: "refused" });
    expect(proposalFor({}, link, ours)).toBeNull();
  });
});
