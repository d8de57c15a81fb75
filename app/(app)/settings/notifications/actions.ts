"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/lib/db";
import { defineAction } from "@/lib/actions/define-action";
import { createChannel, updateChannel, deleteChannel } from "@/lib/notifications/channels";
import { channelFromForm } from "@/lib/notifications/channel-form";
import { sendTest } from "@/lib/notifications/dispatch";
import { saveSmtpSettings } from "@/lib/notifications/smtp";

const PAGE = "/settings/notifications";
const idSchema = z.object({ id: z.string().min(1).max(64) });
const formSchema = z.record(z.string(), z.unknown());
/** What adding a channel answers (changing one shares its form, and answers no data). */
type ChannelSaved = { id: string; name: string; secret: string | null };

// Set the SMTP server email channels send through (a password left blank is kept; "Remove the password" removes it).
export const saveSmtpAction = defineAction("admin", formSchema, async (form, caller) => {
  const text = (name: string) => (typeof form[name] === "string" ? (form[name] as string) : undefined);
  const password = form.removePassword === "on" ? "" : text("password") || undefined;
  const saved = await saveSmtpSettings(db, caller, { host: text("host") ?? "", port: text("port") as unknown as number, security: text("security") as "starttls", username: text("username"), ...(password !== undefined ? { password } : {}), sender: text("sender") ?? "", caPem: text("caPem") });
  revalidatePath(PAGE);
  return { ok: true, message: `Email goes through ${saved.host}:${saved.port} (${saved.security}) from ${saved.sender}. Send a test from an email channel to try it.` };
});

// Add a channel; a webhook's signing secret is in the result only.
export const createChannelAction = defineAction<typeof formSchema, ChannelSaved>("admin", formSchema, async (form, caller) => {
  const { view, secret, warnings } = await createChannel(db, caller, channelFromForm(form, "create") as Parameters<typeof createChannel>[2]);
  revalidatePath(PAGE);
  return { ok: true, message: `Channel “${view.name}” added.${warnings.length ? ` ${warnings.join(" ")}` : ""}`, tone: warnings.length ? "warning" : "success", data: { id: view.id, name: view.name, secret: secret ?? null } };
});

// Change a channel's name, destination, events or links.
export const updateChannelAction = defineAction<typeof formSchema, ChannelSaved>("admin", formSchema, async (form, caller) => {
  const id = idSchema.parse(form).id;
  const { view, warnings } = await updateChannel(db, caller, id, channelFromForm(form, "update"));
  revalidatePath(PAGE);
  return { ok: true, message: `Channel “${view.name}” saved.${warnings.length ? ` ${warnings.join(" ")}` : ""}`, tone: warnings.length ? "warning" : "success" };
});

// Turn a channel on or off (off: nothing is sent to it; what was waiting is dropped).
export const setChannelEnabledAction = defineAction("admin", idSchema.extend({ enabled: z.enum(["true", "false"]) }), async ({ id, enabled }, caller) => {
  const { view } = await updateChannel(db, caller, id, { enabled: enabled === "true" });
  revalidatePath(PAGE);
  return { ok: true, message: `Channel “${view.name}” ${view.enabled ? "on" : "off"}.` };
});

// A new signing secret for a webhook, in the result only; the old one stops verifying at once.
export const rotateChannelSecretAction = defineAction("admin", idSchema, async ({ id }, caller) => {
  const { view, secret } = await updateChannel(db, caller, id, { rotateSecret: true });
  revalidatePath(PAGE);
  return { ok: true, message: `New signing secret for “${view.name}”: give it to the receiver now.`, data: { secret: secret ?? "" } };
});

// Send a test message to a channel now; the outcome is said and logged.
export const testChannelAction = defineAction("admin", idSchema, async ({ id }, caller) => {
  const outcome = await sendTest(db, id, caller);
  revalidatePath(PAGE);
  return outcome.ok ? { ok: true, message: `Test sent: ${outcome.detail} (${outcome.ms} ms).` } : { ok: true, tone: "danger", message: `The test did not arrive: ${outcome.detail}` };
});

// Delete a channel, its log and its sealed URL and secret.
export const deleteChannelAction = defineAction("admin", idSchema, async ({ id }, caller) => {
  const view = await deleteChannel(db, caller, id);
  revalidatePath(PAGE);
  return { ok: true, message: `Channel “${view.name}” deleted.` };
});
