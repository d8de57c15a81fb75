import { describe, expect, it } from "vitest";
import { withoutAdapterUrlWarning } from "@/lib/db/prisma-output";

// What prisma migrate deploy printed on every start (Prisma 6.19.3, driver adapter, url in the schema).
const printed = `Loaded Prisma config from prisma.config.ts.

Prisma schema loaded from prisma/schema.prisma
Datasource "db": SQLite database "applink.db" using driver adapter "@prisma/adapter-better-sqlite3"

WARNING: Your schema specifies the following datasource properties but you are using a Driver Adapter via prisma.config.ts:
- url

The values from your schema will NOT be used!

We recommend you to remove those properties from your schema to avoid confusion if you are only using driver adapters.

21 migrations found in prisma/migrations

No pending migrations to apply.
`;

describe("withoutAdapterUrlWarning", () => {
  it("drops exactly the unused-url warning block, and keeps every other line", () => {
    const kept = withoutAdapterUrlWarning(printed);
    expect(kept).not.toMatch(/WARNING|NOT be used|We recommend/);
    expect(kept).toBe(`Loaded Prisma config from prisma.config.ts.

Prisma schema loaded from prisma/schema.prisma
Datasource "db": SQLite database "applink.db" using driver adapter "@prisma/adapter-better-sqlite3"

21 migrations found in prisma/migrations

No pending migrations to apply.
`);
  });

  it("leaves other output, and other warnings, as they are", () => {
    expect(withoutAdapterUrlWarning("Error: P3009 migrate found failed migrations\n")).toBe("Error: P3009 migrate found failed migrations\n");
    const other = "WARNING: something else\nWe recommend you to remove those properties from your schema\n";
    expect(withoutAdapterUrlWarning(other)).toBe(other);
  });
});
