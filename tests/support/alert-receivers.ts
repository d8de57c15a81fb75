/**
 * The two ends an alert reaches, as tests run them: a real SMTP server (the `smtp-server` package)
 * that requires STARTTLS before it takes a login or a message, and requires a login, each message
 * parsed back with `mailparser`; and a webhook receiver that verifies each delivery as a receiver
 * should (our signature scheme, recomputed here with node:crypto, compared in constant time; a
 * timestamp more than five minutes off refused; a repeated event id acknowledged but not counted).
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** whether the session had been upgraded to TLS when the message came */
  secure: boolean;
  user: string | null;
}

export async function startSmtpServer(options: { key: string; cert: string; user: string; password: string; offerStartTls?: boolean }) {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    key: options.key,
    cert: options.cert,
    hideSTARTTLS: options.offerStartTls === false,
    // AUTH only inside TLS: a client that does not upgrade cannot log in.
    allowInsecureAuth: false,
    authMethods: ["PLAIN", "LOGIN"],
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.password) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
    },
    onMailFrom(_address, session, callback) {
      if (!session.secure) return callback(Object.assign(new Error("Must issue a STARTTLS command first"), { responseCode: 530 }));
      return callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const to = Array.isArray(parsed.to) ? parsed.to.flatMap((a) => a.value) : (parsed.to?.value ?? []);
          mails.push({
            from: parsed.from?.value[0]?.address ?? "",
            to: to.map((a) => a.address ?? ""),
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            html: typeof parsed.html === "string" ? parsed.html : "",
            messageId: parsed.messageId ?? "",
            secure: session.secure,
            user: (session.user as string | undefined) ?? null,
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { mails, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface ReceivedHook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
  /** the signature matched the secret, over this timestamp and body */
  verified: boolean;
  /** an event id seen before (a retry that arrived after all): acknowledged, not acted on */
  repeat: boolean;
}

/**
 * A webhook receiver. `secret` is set once the channel's creation answer gave it (`secrets`: per
 * path, for several channels to one receiver); `failNext`
 * answers 503 to that many deliveries first (a receiver having a bad minute).
 */
export async function startWebhookReceiver() {
  const state = { secret: "", secrets: {} as Record<string, string>, failNext: 0, hooks: [] as ReceivedHook[], seen: new Set<string>() };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (state.failNext > 0) {
        state.failNext--;
        res.writeHead(503, { "content-type": "text/plain" }).end("try again later");
        return;
      }
      const timestamp = String(req.headers["x-applink-timestamp"] ?? "");
      const given = String(req.headers["x-applink-signature"] ?? "");
      const expected = `sha256=${crypto.createHmac("sha256", state.secrets[req.url ?? ""] ?? state.secret).update(`${timestamp}.${body}`).digest("hex")}`;
      const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
      const verified = fresh && given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      if (!verified) {
        res.writeHead(401).end("bad signature");
        state.hooks.push({ path: req.url ?? "", headers: req.headers, body, json: {}, verified: false, repeat: false });
        return;
      }
      const id = String(req.headers["x-applink-event-id"] ?? "");
      const repeat = state.seen.has(id);
      state.seen.add(id);
      state.hooks.push({ path: req.url ?? "", headers: req.headers, body, json: JSON.parse(body) as Record<string, unknown>, verified, repeat });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { state, base, close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())) };
}

/** Waits until `ready()` holds, polling, or fails after `ms`. */
export async function until(ready: () => boolean | Promise<boolean>, ms = 15_000, what = "the condition"): Promise<void> {
  const ends = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > ends) throw new Error(`Timed out after ${ms} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
