import { databaseKind, databaseUrl, dataDir } from "@/lib/env/paths";
import { throttleSettings } from "@/lib/auth/throttle";
import { SESSION_MAX_AGE_SECONDS, secureCookies } from "@/lib/auth/session-cookie";
import { trustProxy } from "@/lib/http/client-ip";
import pkg from "@/package.json";

/** What an administrator may know about this instance's configuration (no secret, no URL credentials). */
export function aboutInstance() {
  const throttle = throttleSettings();
  return {
    version: pkg.version,
    database: databaseKind(databaseUrl()),
    dataDir: dataDir(),
    sessionHours: SESSION_MAX_AGE_SECONDS / 3600,
    secureCookies: secureCookies(),
    trustProxy: trustProxy(),
    signInThrottle: `${throttle.maxFailures} failures per ${throttle.windowMs / 60_000} minutes, per username and per address`,
  };
}
