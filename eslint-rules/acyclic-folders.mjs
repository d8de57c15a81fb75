// A lint rule that keeps the folders under lib/ acyclic: if lib/links imports lib/auth, nothing
// under lib/auth may reach lib/links again, through any chain of folders. File-level cycles
// (import/no-cycle) miss what matters here, a folder that depends on one that depends on it; and
// no maintained plugin checks folders as units, so this one is written by hand (about 100 lines).
//
// A node is a folder under lib/ (lib/links and a folder inside it, lib/links/x, are two nodes), or a file directly
// in lib/ (lib/errors.ts is its own node). Imports by `@/lib/…` and by relative path count,
// type-only ones too; tests (*.test.ts) and lib/generated are left out. The graph is read once per
// lint run from the files on disk.
import fs from "node:fs";
import path from "node:path";

const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;

/** The node a lib file belongs to, or null for a file outside lib. */
function nodeOf(libDir, file) {
  const rel = path.relative(libDir, file);
  if (rel.startsWith("..") || path.isAbsolute(rel)) return null;
  const dir = path.dirname(rel);
  return dir === "." ? `lib/${rel.replace(SOURCE, "")}` : `lib/${dir.split(path.sep).join("/")}`;
}

function resolve(root, fromFile, specifier) {
  if (specifier.startsWith("@/")) return path.join(root, specifier.slice(2));
  if (specifier.startsWith(".")) return path.resolve(path.dirname(fromFile), specifier);
  return null;
}

/** For a target path without extension (`@/lib/links/find-link`), the node it names. */
function targetNode(libDir, target) {
  for (const candidate of [target, `${target}.ts`, `${target}.tsx`, `${target}.mjs`]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return nodeOf(libDir, candidate);
  }
  // A folder's index, or a path that does not exist (the type checker reports that one).
  return fs.existsSync(target) && fs.statSync(target).isDirectory() ? nodeOf(libDir, path.join(target, "index.ts")) : nodeOf(libDir, `${target}.ts`);
}

const graphs = new Map();

/** node → Map(node it imports → a file that does so), read once per lib folder. */
function graphOf(root) {
  let graph = graphs.get(root);
  if (graph) return graph;
  graph = new Map();
  const libDir = path.join(root, "lib");
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "generated" && entry.name !== "node_modules") walk(full);
      } else if (SOURCE.test(entry.name) && !/\.test\.\w+$/.test(entry.name) && !entry.name.endsWith(".d.ts") && !entry.name.endsWith(".d.mts")) {
        const from = nodeOf(libDir, full);
        for (const [, specifier] of fs.readFileSync(full, "utf8").matchAll(IMPORT)) {
          const target = resolve(root, full, specifier);
          const to = target && targetNode(libDir, target);
          if (!to || to === from) continue;
          if (!graph.has(from)) graph.set(from, new Map());
          if (!graph.get(from).has(to)) graph.get(from).set(to, path.relative(root, full));
        }
      }
    }
  };
  if (fs.existsSync(libDir)) walk(libDir);
  graphs.set(root, graph);
  return graph;
}

/** A chain of folders from `start` back to `goal`, or null. */
function pathBetween(graph, start, goal) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const node = queue.shift();
    if (node === goal) {
      const chain = [];
      for (let at = goal; at !== null; at = previous.get(at)) chain.unshift(at);
      return chain;
    }
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return null;
}

export const acyclicFolders = {
  meta: {
    type: "problem",
    docs: { description: "Folders under lib/ import each other without cycles." },
    schema: [],
    messages: { cycle: "{{from}} → {{to}} closes a folder cycle: {{chain}}. Move what both need into the lower folder, or the code into the folder that uses it." },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const libDir = path.join(root, "lib");
    const from = nodeOf(libDir, file);
    if (!from || /\.test\.\w+$/.test(file) || file.includes(`${path.sep}generated${path.sep}`)) return {};
    const check = (node, specifier) => {
      if (typeof specifier !== "string") return;
      const target = resolve(root, file, specifier);
      const to = target && targetNode(libDir, target);
      if (!to || to === from) return;
      const chain = pathBetween(graphOf(root), to, from);
      if (chain) context.report({ node, messageId: "cycle", data: { from, to, chain: [from, ...chain].join(" → ") } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === "Literal" && check(node, node.source.value),
    };
  },
};

const plugin = { rules: { "acyclic-folders": acyclicFolders } };
export default plugin;
