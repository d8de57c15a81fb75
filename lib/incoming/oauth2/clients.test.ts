import { describe, expect, it } from "vitest";
import { redirectMatches, redirectUriProblem } from "@/lib/incoming/oauth2/clients";

describe("redirect URLs", () => {
  it("are registered as https, or plain http on a loopback address (or anywhere with OAUTH2_ALLOW_HTTP_REDIRECTS=true)", () => {
    expect(redirectUriProblem("https://ci.example.test/cb", {})).toBeNull();
    expect(redirectUriProblem("http://127.0.0.1/cb", {})).toBeNull();
    expect(redirectUriProblem("http://[::1]:8080/cb", {})).toBeNull();
    expect(redirectUriProblem("http://localhost/cb", {})).toBeNull();
    expect(redirectUriProblem("http://ci.example.test/cb", {})).toMatch(/plain http/);
    expect(redirectUriProblem("http://ci.example.test/cb", { OAUTH2_ALLOW_HTTP_REDIRECTS: "true" })).toBeNull();
    expect(redirectUriProblem("https://ci.example.test/cb#frag", {})).toMatch(/fragment/);
    expect(redirectUriProblem("https://user:pw@ci.example.test/cb", {})).toMatch(/user name/);
    expect(redirectUriProblem("javascript:alert(1)", {})).toMatch(/not an http/);
    expect(redirectUriProblem("/relative", {})).toMatch(/not an absolute URL/);
  });

  it("match exactly, except a loopback http URL's port (RFC 8252 §7.3)", () => {
    const registered = ["https://ci.example.test/cb", "http://127.0.0.1/native/cb"];
    expect(redirectMatches(registered, "https://ci.example.test/cb")).toBe(true);
    expect(redirectMatches(registered, "https://ci.example.test/cb/")).toBe(false);
    expect(redirectMatches(registered, "https://ci.example.test/cb?x=1")).toBe(false);
    expect(redirectMatches(registered, "https://ci.example.test:8443/cb")).toBe(false);
    expect(redirectMatches(registered, "http://127.0.0.1:51234/native/cb")).toBe(true);
    expect(redirectMatches(registered, "http://127.0.0.1:51234/native/other")).toBe(false);
    expect(redirectMatches(registered, "http://127.0.0.2:51234/native/cb")).toBe(false);
    expect(redirectMatches(registered, "https://127.0.0.1:51234/native/cb")).toBe(false);
    expect(redirectMatches(registered, "not a url")).toBe(false);
  });
});
