import { describe, expect, it } from "vitest";
import { requestUrl } from "@/lib/oauth1";

describe("the URL a client called", () => {
  const headers = new Headers({ host: "applink.internal:3000", "x-forwarded-proto": "https", "x-forwarded-host": "applink.example.com" });

  it("ignores X-Forwarded-* unless the proxy is trusted", () => {
    expect(requestUrl("/api/v1/myself?a=b%20c", headers, { trustProxy: false }).href).toBe("http://applink.internal:3000/api/v1/myself?a=b%20c");
  });

  it("honours X-Forwarded-Proto and -Host behind a trusted proxy (first hop)", () => {
    expect(requestUrl("/x", headers, { trustProxy: true }).href).toBe("https://applink.example.com/x");
    const chained = new Headers({ host: "h", "x-forwarded-proto": "https, http", "x-forwarded-host": "public.example, inner" });
    expect(requestUrl("/x", chained, { trustProxy: true }).href).toBe("https://public.example/x");
  });

  it("refuses a request without a Host", () => {
    expect(() => requestUrl("/x", new Headers(), { trustProxy: false })).toThrow(/Host/);
  });
});
