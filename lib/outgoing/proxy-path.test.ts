import { describe, expect, it } from "vitest";
import { proxyTarget } from "@/lib/outgoing/proxy-path";

const base = "http://jira.example.test:8080/jira";

describe("proxyTarget", () => {
  it("joins the path under the RPC URL and keeps the query as sent", () => {
    expect(proxyTarget(base, "rest/api/2/issue/ABC-1", "a=b+c%20d")).toBe(`${base}/rest/api/2/issue/ABC-1?a=b+c%20d`);
    // Dots inside a name, and `;` parameters on a real segment, are ordinary paths.
    expect(proxyTarget(base, "download/a..b/v1.2;jsessionid=x", "")).toBe(`${base}/download/a..b/v1.2;jsessionid=x`);
    expect(proxyTarget(base, "s/a%2Fb/...", "")).toBe(`${base}/s/a%2Fb/...`);
  });

  // Tomcat (Jira, Confluence) resolves `..;/` as `../`; a proxy or remote that decodes twice reads
  // `%252e%252e` as `..`. Each of these would leave /jira on the remote's side (issue 10, finding 8).
  it.each([
    "..;/x",
    "a/..;/..;/x",
    "..;jsessionid=1/x",
    "%2e%2e;/x",
    "%2E%2E%3B/x",
    "%252e%252e/x",
    "%252E%252E%252Fadmin",
    "a/%252e/x",
    ".;/x",
    "%2e%2e%2fx",
    "../x",
  ])("refuses %s", (path) => {
    expect(() => proxyTarget(base, path, "")).toThrow(/dot segments are not allowed/);
  });
});
