import { X509Certificate } from "node:crypto";
import nodemailer from "nodemailer";
import { z } from "zod";
import type { Db } from "@/lib/db";
import type { SmtpSettings } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { deleteSecret, putSecret, readSecret, sealSecret } from "@/lib/vault/vault";
import { emailSchema } from "@/lib/validation/fields";

/**
 * The organisation's SMTP server, through which email channels send (nodemailer). `starttls`
 * requires the upgrade (a server that does not offer it is refused, never written to in clear
 * text), `tls` is implicit TLS (usually port 465), `none` is for a relay on this machine only.
 */
export const SMTP_SECURITY = ["starttls", "tls", "none"] as const;
const PASSWORD_PURPOSE = "smtp-password";
const ROW = "smtp";

const hostSchema = z
  .string({ error: "Enter the SMTP server's host name." })
  .trim()
  .min(1, "Enter the SMTP server's host name.")
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]-]+$/, "Enter a host name or address only, such as smtp.example.com.");

const caPemSchema = z
  .string()
  .trim()
  .max(64 * 1024)
  .refine((pem) => {
    if (!pem) return true;
    try {
      new X509Certificate(pem);
      return true;
    } catch {
      return false;
    }
  }, "This is not a PEM certificate (-----BEGIN CERTIFICATE-----…).");

/** PUT /api/v1/notifications/smtp. The password is write-only: left out, the stored one is kept; "" removes it. */
export const smtpSettingsSchema = z
  .object({
    host: hostSchema,
    port: z.coerce.number({ error: "Enter a port number." }).int("Enter a port number.").min(1, "Ports are 1 to 65535.").max(65535, "Ports are 1 to 65535."),
    security: z.enum(SMTP_SECURITY, { error: `Choose one of: ${SMTP_SECURITY.join(", ")}.` }),
    username: z.string().trim().max(254).optional(),
    password: z.string().max(1024).optional(),
    sender: emailSchema,
    caPem: caPemSchema.optional(),
  })
  .strict();
export type SmtpSettingsInput = z.input<typeof smtpSettingsSchema>;

export interface SmtpView {
  host: string;
  port: number;
  security: string;
  username: string | null;
  passwordSet: boolean;
  sender: string;
  caPem: string | null;
  updatedAt: Date;
}

const view = (row: SmtpSettings): SmtpView => ({ host: row.host, port: row.port, security: row.security, username: row.username, passwordSet: !!row.passwordSecretId, sender: row.sender, caPem: row.caPem, updatedAt: row.updatedAt });

export async function smtpSettings(db: Db): Promise<SmtpView | null> {
  const row = await db.smtpSettings.findUnique({ where: { id: ROW } });
  return row ? view(row) : null;
}

/** Sets the SMTP server; the password is sealed (a new one replaces the old, in one transaction). */
export async function saveSmtpSettings(db: Db, actor: Actor, input: SmtpSettingsInput): Promise<SmtpView> {
  const p = smtpSettingsSchema.parse(input);
  // Sealed before the transaction: the key provider is never asked while it holds the database.
  const password = p.password ? await sealSecret(PASSWORD_PURPOSE, p.password) : null;
  return db.$transaction(async (tx) => {
    const before = await tx.smtpSettings.findUnique({ where: { id: ROW } });
    let passwordSecretId = before?.passwordSecretId ?? null;
    if (p.password !== undefined) {
      if (passwordSecretId) await deleteSecret(tx, passwordSecretId);
      passwordSecretId = password ? await putSecret(tx, password) : null;
    }
    const data = { host: p.host, port: p.port, security: p.security, username: p.username || null, passwordSecretId, sender: p.sender, caPem: p.caPem || null };
    const row = await tx.smtpSettings.upsert({ where: { id: ROW }, create: { id: ROW, ...data }, update: data });
    const shown = (r: SmtpSettings | null) => (r ? { host: r.host, port: r.port, security: r.security, username: r.username, sender: r.sender, caPemSet: !!r.caPem } : undefined);
    await recordAudit(tx, actor, { action: "notifications.smtp", targetType: "smtp", targetLabel: `${row.host}:${row.port}`, before: shown(before), after: { ...shown(row), ...(p.password !== undefined ? { passwordChangedAt: new Date().toISOString() } : {}) } });
    return view(row);
  });
}

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Message-ID's left part: the event id, so a retry is recognisably the same message. */
  id: string;
}

/** Sends one message through the SMTP server; answers the server's reply ("250 …"). */
export async function sendMail(db: Db, mail: Mail, timeoutMs = 15_000): Promise<string> {
  const row = await db.smtpSettings.findUnique({ where: { id: ROW } });
  if (!row) throw new AppError("conflict", "No SMTP server is set: set one under Settings → Notifications.");
  const password = row.passwordSecretId ? (await readSecret(db, row.passwordSecretId)).toString("utf8") : undefined;
  const transport = nodemailer.createTransport({
    host: row.host,
    port: row.port,
    secure: row.security === "tls",
    requireTLS: row.security === "starttls",
    ignoreTLS: row.security === "none",
    ...(row.username ? { auth: { user: row.username, pass: password ?? "" } } : {}),
    tls: { minVersion: "TLSv1.2", ...(row.caPem ? { ca: row.caPem } : {}) },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    const domain = row.sender.split("@")[1] ?? "applink-admin";
    const info = await transport.sendMail({ from: row.sender, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: `<${mail.id}@${domain}>` });
    return String(info.response ?? "sent");
  } finally {
    transport.close();
  }
}
