import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readOrCreateSecretFile, sessionSecret } from "@/lib/env/secret-file";

describe("generated secrets in the data folder", () => {
  it("are created once, mode 0600, and read back the same", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "applink-secret-"));
    const first = readOrCreateSecretFile("nextauth-secret", dir);
    expect(Buffer.from(first, "base64")).toHaveLength(32);
    expect(fs.statSync(path.join(dir, "nextauth-secret")).mode & 0o777).toBe(0o600);
    expect(readOrCreateSecretFile("nextauth-secret", dir)).toBe(first);
    expect(sessionSecret({ DATA_DIR: dir })).toBe(first);
    expect(sessionSecret({ DATA_DIR: dir, NEXTAUTH_SECRET: "from-env" })).toBe("from-env");
    fs.writeFileSync(path.join(dir, "empty"), "");
    expect(() => readOrCreateSecretFile("empty", dir)).toThrow(/empty/);
  });
});
