#!/usr/bin/env node
// `npm start`: apply migrations, run first-run set-up, build when the sources changed, then serve.
// `npm start -- --dev` (or `npm run dev`) serves with hot reload instead of building.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { nodeProblem } from "./check-node.mjs";

// Everything this app creates (the database, its -wal and -shm files, secrets) is for its own user
// only: 0600 files in a 0700 folder. The migrations and the server inherit the mask.
process.umask(0o077);

// Which Node.js this is, in one line, before a native module can fail with a stack trace.
const nodeCheck = nodeProblem();
if (nodeCheck) {
  console[nodeCheck.stop ? "error" : "warn"](`npm start: ${nodeCheck.line}`);
  if (nodeCheck.stop) process.exit(1);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const dev = process.argv.includes("--dev");

/** Runs a step; its output goes to ours as it comes (`capture`: also returned, once it ends). */
function run(step, command, args, env = {}, { capture = false } = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: ["inherit", capture ? "pipe" : "inherit", "inherit"], encoding: "utf8", env: { CHECKPOINT_DISABLE: "1", ...process.env, ...env } });
  if (capture && result.stdout) process.stdout.write(result.stdout);
  if (result.status !== 0) {
    console.error(`npm start: ${step} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
  return result.stdout ?? "";
}

/** A hash of everything that goes into the production build. */
function sourceFingerprint() {
  const hash = crypto.createHash("sha256");
  const inputs = ["app", "components", "lib", "types", "public", "proxy.ts", "instrumentation.ts", "next.config.js", "postcss.config.mjs", "tsconfig.json", "package-lock.json", "prisma/schema.prisma", "prisma/postgresql/schema.prisma"];
  const walk = (rel) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs) || rel === path.join("lib", "generated")) return;
    const stat = fs.statSync(abs);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(abs).sort()) walk(path.join(rel, entry));
    } else {
      hash.update(rel).update("\0").update(fs.readFileSync(abs)).update("\0");
    }
  };
  inputs.forEach(walk);
  return hash.digest("hex");
}

function buildIfNeeded() {
  const marker = path.join(root, ".next", "applink-build-fingerprint");
  const fingerprint = sourceFingerprint();
  const built = fs.existsSync(path.join(root, ".next", "BUILD_ID")) && fs.existsSync(marker) && fs.readFileSync(marker, "utf8") === fingerprint;
  if (built) return;
  console.log("npm start: building the app (first start, or the sources changed)…");
  run("next build", bin("next"), ["build"], { NEXT_TELEMETRY_DISABLED: "1" });
  fs.writeFileSync(marker, fingerprint);
}

run("database migrations", bin("tsx"), [path.join(root, "scripts", "migrate.ts")]);
const firstRun = run("first-run set-up", bin("tsx"), [path.join(root, "scripts", "bootstrap.ts")], {}, { capture: true });
// A generated password scrolls away among the build's lines: it is said again once the app serves (kept in memory only).
const firstAdmin = /Created the first administrator "([^"]+)"\.\n\s*Password \(shown once, store it now\): (\S+)/.exec(firstRun);
if (!dev) buildIfNeeded();
// libuv's pool signs the outgoing requests (RSA, about 0.26 ms each). As many threads as cores
// (at least 2): the default 4 on a 2-core machine fight the main thread for the CPU, and the
// proxy bench measured about 15 % fewer signed requests per second. Set before the pool starts,
// so before the server is loaded; an operator's own UV_THREADPOOL_SIZE wins.
process.env.UV_THREADPOOL_SIZE ||= String(Math.max(2, os.availableParallelism()));
const { serve } = await import("./serve.mjs");
await serve({ dev, dir: root });
if (firstAdmin) {
  console.log(`\nFirst sign-in: username "${firstAdmin[1]}", password ${firstAdmin[2]}\n(shown only at this first start: store it now, then change it under Settings.)\n`);
}
