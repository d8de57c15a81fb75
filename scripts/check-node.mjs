// Which Node.js `npm start` and `npm test` run on, said in one line before anything can fail in a
// native module: the lines that still get security fixes are supported (package.json "engines").
// Run as a script (exit 1 on a refusal) or imported by scripts/start.mjs.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export const SUPPORTED_NODE_LINES = [22, 24, 26];

/** better-sqlite3 loads its native binding on the first database opened, not on require. */
function openSqlite() {
  const Database = createRequire(import.meta.url)("better-sqlite3");
  new Database(":memory:").close();
}

/** Null when this Node.js is supported and the native modules load; else the one line to print, and whether to stop. */
export function nodeProblem(version = process.versions.node, loadNative = openSqlite) {
  const major = Number(version.split(".")[0]);
  const lines = `${SUPPORTED_NODE_LINES.slice(0, -1).join(", ")} or ${SUPPORTED_NODE_LINES.at(-1)}`;
  if (major < 20) return { stop: true, line: `Node.js ${version} is too old for Applink Admin: install Node.js ${lines} (the lines that still get security fixes), then run npm ci again.` };
  try {
    loadNative();
  } catch (error) {
    const abi = /NODE_MODULE_VERSION|was compiled against a different Node\.js version|invalid ELF|ERR_DLOPEN_FAILED/i.test(`${error?.code ?? ""} ${error?.message ?? ""}`);
    if (abi) return { stop: true, line: `The native modules (better-sqlite3) were built for another Node.js than this one (${version}): run npm ci again with this Node.js.` };
    if (error?.code === "MODULE_NOT_FOUND") return { stop: true, line: "The dependencies are not installed: run npm ci first." };
    return { stop: true, line: `better-sqlite3 does not load on Node.js ${version} (${String(error?.message ?? error).split("\n")[0]}): use Node.js ${lines}.` };
  }
  if (!SUPPORTED_NODE_LINES.includes(major)) {
    return { stop: false, line: `Node.js ${version} is not a supported line (${lines}: the ones that still get security fixes); it may work, but it is not tested here.` };
  }
  return null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problem = nodeProblem();
  if (problem) console[problem.stop ? "error" : "warn"](`${problem.stop ? "Stopped" : "Warning"}: ${problem.line}`);
  process.exit(problem?.stop ? 1 : 0);
}
