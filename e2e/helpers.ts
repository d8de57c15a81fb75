import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { expect, request as playwrightRequest, type APIRequestContext, type Page } from "@playwright/test";

export const ADMIN = { username: "admin", password: "e2e admin password" };

export async function signIn(page: Page, username: string, password: string) {
  await page.goto("/signin");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signInOk(page: Page, username: string, password: string) {
  await signIn(page, username, password);
  await expect(page).toHaveURL(/\/links$/);
  await expect(page.getByTestId("current-user")).toContainText(username);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.getByRole("group", { name: "Confirm sign out" }).getByRole("button", { name: "Yes, sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

/** The sign-in form's own message (Next.js also has an empty role=alert route announcer). */
export function signInMessage(page: Page) {
  return page.getByRole("form", { name: "Sign in" }).getByRole("alert");
}

/** The data folder of the server Playwright starts (playwright.config.ts). */
export const E2E_DATA = path.resolve(".tmp/e2e-data");

/** A personal API token from the admin CLI, on the instance whose data folder this is. */
export function cliToken(dataDir: string, username: string, env: Record<string, string> = {}): string {
  return execFileSync(path.resolve("node_modules/.bin/tsx"), ["scripts/admin.ts", "token", "create", "--username", username, "--name", `e2e-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`], { env: { ...process.env, DATA_DIR: dataDir, ...env }, encoding: "utf8" }).trim();
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  ms: number;
}

/** Raw HTTP: the request line and headers reach the server exactly as written (nothing normalised, nothing decoded). */
export function rawRequest(base: string, method: string, target: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/`, { method, path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), ms: Date.now() - started }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Another instance of this app, started as `npm start` starts it, with a data folder of its own
 * (emptied first) and its own first admin; on its own loopback address, so the browser keeps the
 * two instances' cookies apart. Resolves once it serves.
 */
export async function startInstance(options: { port: number; host: string; dataDir: string; admin: { username: string; password: string }; env?: Record<string, string> }): Promise<ChildProcess> {
  fs.rmSync(options.dataDir, { recursive: true, force: true });
  const child = spawn("node", ["scripts/start.mjs"], {
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: options.host,
      DATA_DIR: options.dataDir,
      ADMIN_USERNAME: options.admin.username,
      ADMIN_EMAIL: `${options.admin.username}-${options.port}@example.test`,
      ADMIN_PASSWORD: options.admin.password,
      LOG_LEVEL: "warn",
      NEXTAUTH_SECRET: "",
      TRUST_PROXY: "",
      LINK_CHECK_INTERVAL_MINUTES: "0",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => ((output += c.toString()), /is serving on/.test(output) && resolve()));
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    child.on("exit", (code) => reject(new Error(`the instance on ${options.host}:${options.port} exited (${code}): ${output}`)));
  });
  return child;
}

/** An API client with an API token. */
export const apiAs = (token: string) => playwrightRequest.newContext({ extraHTTPHeaders: { authorization: `Bearer ${token}` } });

/** A JSON API call that must succeed (2xx); its parsed answer. */
export async function api(context: APIRequestContext, method: "GET" | "POST" | "PUT", url: string, data?: unknown) {
  const response = await context.fetch(url, { method, data });
  const body = await response.text();
  expect(response.status(), `${method} ${url}: ${body}`).toBeLessThan(300);
  return JSON.parse(body);
}

/**
 * axe on the page as it is now: fails on any serious or critical violation, listing each with its
 * rule, impact and the elements it found (issue 12: accessibility as a test).
 */
export async function expectAccessible(page: Page, where: string) {
  const { default: AxeBuilder } = await import("@axe-core/playwright");
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = serious.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(" ")} ${n.failureSummary?.split("\n").slice(1, 2).join("") ?? ""}`).join("\n")}`).join("\n");
  expect(serious, `axe on ${where}:\n${report}`).toEqual([]);
}

/** A link page's section (its settings are tabs: Outgoing, Incoming, Credential and TLS, Name and URLs, Danger zone). */
export async function openSection(page: Page, name: "Outgoing" | "Incoming" | "OAuth 2.0 (incoming)" | "Credential and TLS" | "Name and URLs" | "Danger zone") {
  const tab = page.getByRole("tab", { name, exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute("aria-selected", "true");
}
