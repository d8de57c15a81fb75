import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { checkHealth } from "@/lib/health";
import { GET } from "@/app/api/health/route";

describe("health", () => {
  it("answers ok with the database reachable", async () => {
    const response = await GET();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", db: "ok" });
  });

  it("reports an unreachable database", async () => {
    const missing = path.join(os.tmpdir(), "no-such-dir-applink", "x", "db.sqlite");
    const broken = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${missing}` }) });
    expect(await checkHealth(broken as never)).toMatchObject({ status: "degraded", db: "unreachable" });
  });
});
