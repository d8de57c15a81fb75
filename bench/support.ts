// What the benchmarks share: starting the processes they measure (stopped when the bench exits),
// reading a process's CPU time, calling the app's API.
import { spawn, type ChildProcess } from "node:child_process";
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
