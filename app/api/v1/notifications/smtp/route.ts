import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { saveSmtpSettings, smtpSettings, smtpSettingsSchema } from "@/lib/notifications/smtp";

// GET /api/v1/notifications/smtp – the SMTP server email channels send through (the password never: `passwordSet`)
export const GET = withCaller("admin", async () => Response.json({ smtp: await smtpSettings(db) }), { delegation: "never" });

// PUT /api/v1/notifications/smtp – set it; `password` is write-only (left out: kept; "": removed)
export const PUT = withCaller("admin", async ({ req, caller }) => Response.json({ smtp: await saveSmtpSettings(db, caller, await readJson(req, smtpSettingsSchema)) }), { delegation: "never" });
