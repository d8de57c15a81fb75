import { describe, expect, it } from "vitest";
import { isActionLike } from "@/lib/http/form-post-guard";

const formPost = (path: string) => [new Request(`http://localhost${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1" }), path] as const;

describe("isActionLike: which posts are checked as posts to pages", () => {
  it("guards pages, the OAuth 2.0 consent page among them, and lets remotes post to route handlers", () => {
    // Pages (server actions): checked before Next.js sees them.
    expect(isActionLike(...formPost("/links/abc"))).toBe(true);
    expect(isActionLike(...formPost("/plugins/servlet/oauth/authorize"))).toBe(true);
    expect(isActionLike(...formPost("/rest/oauth2/latest/authorize"))).toBe(true);
    // Route handlers that remotes post forms to: never taken for an action.
    expect(isActionLike(...formPost("/rest/oauth2/latest/token"))).toBe(false);
    expect(isActionLike(...formPost("/rest/oauth2/latest/revoke"))).toBe(false);
    expect(isActionLike(...formPost("/rest/oauth2/latest/authorizeX"))).toBe(false);
    expect(isActionLike(...formPost("/rest/applinks/1.0/manifest"))).toBe(false);
    expect(isActionLike(...formPost("/plugins/servlet/oauth/access-token"))).toBe(false);
    expect(isActionLike(...formPost("/api/v1/links"))).toBe(false);
  });
});
