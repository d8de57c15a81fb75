import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OPERATIONS, openApiDocument } from "@/lib/api/openapi";
import { GET } from "@/app/api/v1/openapi.json/route";

const root = path.resolve(import.meta.dirname, "..");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] as const;

/** Every route file's path (`[id]` as `{id}`, `[...path]` as `{path}`) and the methods it exports. */
function routesOnDisk(): { path: string; method: string }[] {
  const out: { path: string; method: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const routePath = `/${path.relative(path.join(root, "app"), dir).split(path.sep).filter((s) => !/^\(.*\)$/.test(s)).join("/")}`.replace(/\[\.\.\.(\w+)\]/g, "{$1}").replace(/\[(\w+)\]/g, "{$1}");
        // next-auth's own routes are not this app's API.
        if (routePath.startsWith("/api/auth/")) continue;
        const source = fs.readFileSync(full, "utf8");
        for (const method of METHODS) {
          if (new RegExp(`export (const|async function|function) ${method}\\b|as ${method}\\b`).test(source)) out.push({ path: routePath, method: method.toLowerCase() });
        }
      }
    }
  };
  walk(path.join(root, "app"));
  return out;
}

describe("GET /api/v1/openapi.json", () => {
  it("lists every route and method there is, and none that is not", () => {
    const onDisk = routesOnDisk();
    expect(onDisk.length).toBeGreaterThan(30);
    const documented = OPERATIONS.map((o) => ({ path: o.path, method: o.method }));
    const key = (r: { path: string; method: string }) => `${r.method.toUpperCase()} ${r.path}`;
    expect(documented.map(key).sort()).toEqual(onDisk.map(key).sort());
  });

  it("is an OpenAPI 3.1 document whose request bodies are the routes' zod schemas as JSON Schema", async () => {
    const response = await GET(new Request("http://localhost:3000/api/v1/openapi.json"));
    expect(response.status).toBe(200);
    const doc = (await response.json()) as ReturnType<typeof openApiDocument>;
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: "http://localhost:3000" }]);
    const createLink = doc.paths["/api/v1/links"]!.post as { requestBody: { content: { "application/json": { schema: { properties?: Record<string, unknown>; anyOf?: unknown[] } } } } };
    const schema = createLink.requestBody.content["application/json"].schema;
    expect(JSON.stringify(schema)).toContain("rpcUrl");
    const patchUser = doc.paths["/api/v1/users/{username}"]!.patch as { requestBody: { content: { "application/json": { schema: { properties: Record<string, unknown>; additionalProperties: boolean } } } } };
    expect(Object.keys(patchUser.requestBody.content["application/json"].schema.properties).sort()).toEqual(["disabled", "role"]);
    expect(patchUser.requestBody.content["application/json"].schema.additionalProperties).toBe(false);
    const listLinks = doc.paths["/api/v1/links"]!.get as { parameters: { name: string; in: string }[] };
    expect(listLinks.parameters.map((p) => `${p.in}:${p.name}`).sort()).toEqual(["query:page", "query:pageSize", "query:q", "query:status", "query:type"]);
    // Every path parameter is declared.
    for (const [p, operations] of Object.entries(doc.paths)) {
      for (const operation of Object.values(operations) as { parameters?: { name: string; in: string }[] }[]) {
        const declared = (operation.parameters ?? []).filter((x) => x.in === "path").map((x) => x.name);
        expect(declared, p).toEqual([...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
      }
    }
  });
});
