// What the benchmarks share: starting the processes they measure (stopped when the bench exits),
// reading a process's CPU time, calling the app's API.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const children: ChildProcess[] = [];

function stopAll() {
  for (const child of children) child.kill("SIGTERM");
}
process.on("exit", stopAll);
process.on("SIGINT", () => process.exit(130));

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux). */
export function cpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU time used so far by every process whose command name is `name` (the database server's
 * backends: `postgres`), in ms, from /proc: what a request costs beyond the app's own process.
 */
export function processesCpuMs(name: string): number {
  let total = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) !== name) continue;
      total += cpuMs(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

/** Starts a process and resolves with what `ready` extracts from its output (and the pid). */
export function start(command: string, args: string[], env: Record<string, string>, ready: RegExp, timeoutMs = 300_000): Promise<RegExpExecArray & { pid?: number }> {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${path.basename(args[0] ?? command)} did not start in time:\n${output.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Object.assign(match, { pid: child.pid }));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`${path.basename(args[0] ?? command)} exited (${code}):\n${output.slice(-2000)}`)));
  });
}

/** An API token for `username`, made as an operator makes one (`npm run admin -- token create`) with the instance's settings `env`. */
export function apiTokenFor(env: Record<string, string>, username: string): string {
  const run = spawnSync(path.join(root, "node_modules", ".bin", "tsx"), [path.join(root, "scripts", "admin.ts"), "token", "create", "--username", username, "--name", "bench"], { cwd: root, env: { ...process.env, ...env }, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`token create failed (DATA_DIR ${env.DATA_DIR ?? "default"}): ${run.stderr}`);
  return run.stdout.trim();
}

/** A JSON call to the app's REST API with an API token; anything but 2xx throws. */
export async function appApi(port: number, pathname: string, token: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${pathname}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${init.method ?? "GET"} ${pathname} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}


/** One measurement of one scenario. */
export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU the serving process spent per request (ms): where the time goes. */
  cpuMsPerRequest: number;
  /** CPU the database server spent per request (ms), on a local PostgreSQL. */
  databaseCpuMsPerRequest?: number;
}

export const SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so";

/**
 * Whether a bench also measures an instance whose master key is in SoftHSM, in the same run as the
 * file key's (issue 27's ≥ 0.95× target): when SoftHSM is installed (scripts/ensure-test-peers.sh),
 * unless BENCH_HSM=0, and on the embedded database only (a second instance on the same PostgreSQL
 * database would meet secrets under another key and refuse to start). `why`: why not.
 */
export function hsmBench(): { run: true } | { run: false; why: string } {
  if (process.env.BENCH_HSM === "0") return { run: false, why: "BENCH_HSM=0" };
  if (!fs.existsSync(SOFTHSM_MODULE)) return { run: false, why: `SoftHSM is not installed (${SOFTHSM_MODULE}; scripts/ensure-test-peers.sh installs it)` };
  if (/^postgres(ql)?:/.test(process.env.DATABASE_URL ?? "")) return { run: false, why: "on PostgreSQL (the HSM instance would share the database)" };
  return { run: true };
}

/** A fresh SoftHSM token in `dir` (its own configuration): the settings that put an instance's master key in it. */
export function softHsmSettings(dir: string): Record<string, string> {
  fs.mkdirSync(path.join(dir, "tokens"), { recursive: true });
  const conf = path.join(dir, "softhsm2.conf");
  fs.writeFileSync(conf, `directories.tokendir = ${path.join(dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const init = spawnSync("softhsm2-util", ["--init-token", "--free", "--label", "bench", "--pin", "4711", "--so-pin", "0815"], { env: { ...process.env, SOFTHSM2_CONF: conf }, encoding: "utf8" });
  if (init.status !== 0) throw new Error(`softhsm2-util failed: ${init.stderr}`);
  return { SOFTHSM2_CONF: conf, APP_KEY_PROVIDER: "pkcs11", PKCS11_MODULE: SOFTHSM_MODULE, PKCS11_TOKEN_LABEL: "bench", PKCS11_PIN: "4711" };
}
