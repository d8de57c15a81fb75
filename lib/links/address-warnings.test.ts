import { describe, expect, it } from "vitest";
import { addressWarnings } from "@/lib/links/address-warnings";

// Issue 10, finding 9: allowed (admins link to internal hosts), but said out loud.
describe("addressWarnings", () => {
  const self = { instanceId: "this-instance", env: { PORT: "3000", APP_URL: "https://applinks.example.test" } };
  const warned = (url: string, appId?: string) => addressWarnings(url, self, appId).join(" ");

  it.each(["http://169.254.169.254/latest", "http://169.254.0.1:8080", "http://[fe80::1]:8080", "http://[::ffff:169.254.169.254]"])("warns that %s is link-local", (url) => {
    expect(warned(url)).toMatch(/link-local address/);
  });

  it.each(["http://0.0.0.0:8080", "http://[::]:8080", "http://0.1.2.3"])("warns that %s is unspecified", (url) => {
    expect(warned(url)).toMatch(/unspecified address/);
  });

  it.each([
    ["its own public URL", "https://applinks.example.test/", undefined],
    ["its own port on loopback", "http://127.0.0.1:3000", undefined],
    ["its own port on [::1]", "http://[::1]:3000", undefined],
    ["localhost on its port", "http://localhost:3000/jira", undefined],
    ["a manifest with its own id", "http://other-name.example.test", "this-instance"],
  ])("warns when the URL is this app itself: %s", (_what, url, appId) => {
    expect(warned(url, appId)).toMatch(/this application itself/);
  });

  it.each(["http://127.0.0.1:8090/jira", "http://[::1]:8090", "http://10.0.0.5:8080", "https://jira.example.test", "http://localhost:8090"])("says nothing of %s (another application, internal or not)", (url) => {
    expect(addressWarnings(url, self, "another-instance")).toEqual([]);
  });
});
