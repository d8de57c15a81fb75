import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log";

describe("logger redaction", () => {
  it("never writes credentials, cookies, tokens or keys", () => {
    let output = "";
    const sink = new Writable({
      write(chunk, _enc, done) {
        output += chunk.toString();
        done();
      },
    });
    process.env.LOG_LEVEL = "info";
    const log = createLogger(sink);
    log.info(
      {
        password: "hunter2-password",
        token: "ala_secret_token",
        user: { password: "nested-password", name: "visible-name" },
        req: { headers: { authorization: "Bearer ala_header_token", cookie: "next-auth.session-token=abc", accept: "text/html" } },
        link: { privateKey: "-----BEGIN PRIVATE KEY-----" },
      },
      "something happened",
    );
    delete process.env.LOG_LEVEL;
    expect(output).toContain("something happened");
    expect(output).toContain("visible-name");
    expect(output).toContain("text/html");
    for (const secret of ["hunter2-password", "ala_secret_token", "nested-password", "ala_header_token", "session-token=abc", "BEGIN PRIVATE KEY"]) {
      expect(output).not.toContain(secret);
    }
  });
});
