import pino from "pino";

/**
 * Paths whose values never reach a log line, at any depth we use: credentials, cookies, keys,
 * tokens and anything that looks like them.
 */
export const REDACT_PATHS = [
  "password",
  "newPassword",
  "token",
  "secret",
  "privateKey",
  "apiToken",
  "authorization",
  "cookie",
  "*.password",
  "*.newPassword",
  "*.token",
  "*.secret",
  "*.privateKey",
  "*.passwordHash",
  "*.tokenHash",
  "*.authorization",
  "*.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
  "*.*.password",
  "*.*.token",
  "*.*.secret",
  "*.*.privateKey",
];

export function createLogger(destination?: pino.DestinationStream) {
  return pino(
    {
      level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: { app: "applink-admin" },
    },
    destination,
  );
}

export const log = createLogger();
