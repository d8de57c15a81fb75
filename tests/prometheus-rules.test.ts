/**
 * Issue 26: the example Prometheus alert rules (docs/prometheus/) are valid (`promtool check
 * rules`) and fire on the series /api/metrics reports (`promtool test rules`), with Debian's
 * promtool (scripts/ensure-test-peers.sh installs it).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const dir = path.resolve("docs/prometheus");

describe("the example Prometheus alert rules", () => {
  it("pass promtool check rules, and promtool test rules", async () => {
    const checked = await run("promtool", ["check", "rules", "applink-alerts.yml"], { cwd: dir });
    expect(checked.stdout).toMatch(/SUCCESS: 3 rules found/);
    const tested = await run("promtool", ["test", "rules", "applink-alerts.test.yml"], { cwd: dir });
    expect(`${tested.stdout}${tested.stderr}`).toMatch(/SUCCESS/);
  });
});
