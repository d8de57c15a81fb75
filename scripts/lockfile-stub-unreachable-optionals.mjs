#!/usr/bin/env node
// This workplace's npm registry does not serve every platform build of a package (for example
// @next/swc-darwin-arm64), so `npm install` leaves those optional dependencies out of
// package-lock.json and `npm ci` then refuses the lock ("Missing: … from lock file"). This adds a
// platform-tagged entry for each missing one, exactly as a lock made elsewhere has it; npm ci
// skips them on this platform and installs them where they belong. Run after `npm install`.
import fs from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const packages = lock.packages;

const OS = ["android", "darwin", "freebsd", "linux", "win32", "openharmony", "sunos", "aix", "netbsd", "openbsd"];
const CPU = [["arm64"], ["x64"], ["ia32"], ["loong64"], ["ppc64"], ["riscv64"], ["s390x"], ["wasm32"], ["arm", /-arm(-|$)/]];

function platformOf(name) {
  const base = name.split("/").pop();
  const os = OS.find((o) => base.includes(`-${o}-`) || base.endsWith(`-${o}`));
  const cpu = CPU.find(([c, re]) => (re ? re.test(base) : base.includes(`-${c}`)))?.[0];
  const libc = /-musl/.test(base) ? "musl" : /-gnu/.test(base) && os === "linux" ? "glibc" : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    const nested = `${path}/node_modules/${dep}`;
    if (packages[key] || packages[nested]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!cpu) {
      console.error(`cannot tell the platform of ${dep}; left out`);
      continue;
    }
    packages[key] = {
      version,
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(entry.dev ? { dev: true } : {}),
      ...(libc ? { libc: [libc] } : {}),
      optional: true,
      ...(os ? { os: [os] } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)));
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(`added ${added} platform entries`);
