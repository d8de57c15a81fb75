import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import local from "@/eslint-rules/acyclic-folders.mjs";

/** Lints a fixture project's lib/ with the folder rule alone, as the project's lint applies it. */
async function lintFixture(name: string) {
  const eslint = new ESLint({
    cwd: path.join(import.meta.dirname, "fixtures", name),
    overrideConfigFile: true,
    overrideConfig: [{ files: ["**/*.mjs"], plugins: { local }, rules: { "local/acyclic-folders": "error" } }],
  });
  const results = await eslint.lintFiles(["lib/**/*.mjs"]);
  return results.flatMap((result) => result.messages.map((m) => ({ file: path.relative(path.join(import.meta.dirname, "fixtures", name), result.filePath), rule: m.ruleId, message: m.message })));
}

describe("the acyclic-folders lint rule", () => {
  it("fails on a folder cycle (lib/a → lib/b → lib/c → lib/a) at every import that closes it, naming the chain", async () => {
    const messages = await lintFixture("folder-cycle");
    expect(messages.map((m) => m.file).sort()).toEqual(["lib/a/one.mjs", "lib/b/two.mjs", "lib/c/three.mjs"]);
    expect(messages.every((m) => m.rule === "local/acyclic-folders")).toBe(true);
    expect(messages.find((m) => m.file === "lib/a/one.mjs")?.message).toContain("lib/a → lib/b closes a folder cycle: lib/a → lib/b → lib/c → lib/a");
  });

  it("passes imports that go one way", async () => {
    expect(await lintFixture("folder-chain")).toEqual([]);
  });
});
