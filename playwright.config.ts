import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
export const E2E_ADMIN = { username: "admin", password: "e2e admin password" };

/**
 * Playwright drives Debian's Chromium (never a downloaded browser) against the real production
 * server started by `npm start`'s own script, on a fresh data folder.
 */
export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  // A stray test.only must not narrow CI's run to one flow (CI=true there).
  forbidOnly: !!process.env.CI,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  outputDir: "test-results/artifacts",
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
  webServer: {
    command: "rm -rf .tmp/e2e-data && node scripts/start.mjs",
    url: `http://127.0.0.1:${PORT}/api/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(PORT),
      HOST: "127.0.0.1",
      DATA_DIR: ".tmp/e2e-data",
      ADMIN_USERNAME: E2E_ADMIN.username,
      ADMIN_EMAIL: "admin@example.test",
      ADMIN_PASSWORD: E2E_ADMIN.password,
      // Lets the throttling flow sign in from its own (forwarded) address without locking out the rest.
      TRUST_PROXY: "true",
      NEXTAUTH_SECRET: "",
      LOG_LEVEL: "warn",
      // Flows check links when they say so (Check now), not when a background timer happens to.
      LINK_CHECK_INTERVAL_MINUTES: "0",
    },
  },
});
