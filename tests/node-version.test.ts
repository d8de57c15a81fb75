/** Issue 28: which Node.js `npm start` accepts, said in one line (scripts/check-node.mjs). */
import { describe, expect, it } from "vitest";
import { nodeProblem, SUPPORTED_NODE_LINES } from "@/scripts/check-node.mjs";

const loads = () => undefined;

describe("nodeProblem", () => {
  it("accepts the lines that still get security fixes, and says nothing", () => {
    expect(SUPPORTED_NODE_LINES).toEqual([22, 24, 26]);
    for (const version of ["22.12.0", "24.22.3", "26.12.1"]) expect(nodeProblem(version, loads)).toBeNull();
  });

  it("warns in one line on an unsupported line that may still work (20, odd lines, newer ones)", () => {
    for (const version of ["20.20.2", "25.9.0", "28.0.0"]) {
      const problem = nodeProblem(version, loads);
      expect(problem).toEqual({ stop: false, line: `Node.js ${version} is not a supported line (22, 24 or 26: the ones that still get security fixes); it may work, but it is not tested here.` });
    }
  });

  it("stops, in one line, on one too old and on native modules built for another Node.js", () => {
    expect(nodeProblem("18.20.4", loads)).toMatchObject({ stop: true, line: expect.stringMatching(/^Node\.js 18\.20\.4 is too old/) });
    const abi = () => {
      throw Object.assign(new Error("The module 'better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115."), { code: "ERR_DLOPEN_FAILED" });
    };
    expect(nodeProblem("24.22.3", abi)).toEqual({ stop: true, line: "The native modules (better-sqlite3) were built for another Node.js than this one (24.22.3): run npm ci again with this Node.js." });
  });

  it("loads this machine's better-sqlite3 for real", () => {
    expect(nodeProblem(process.versions.node)?.stop ?? false).toBe(false);
  });
});
