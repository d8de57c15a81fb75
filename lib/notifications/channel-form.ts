import { NOTIFICATION_EVENTS } from "@/lib/outbox/events";

/**
 * A channel form's fields as the API's shape: the events as `event-<name>` checkboxes, the links
 * as `links=all|chosen` and `link-<id>` checkboxes, the recipients one per line (or comma
 * separated). Creating takes the kind; changing leaves out what the form did not carry, so the
 * schema's own refusals are said at their fields.
 */
export function channelFromForm(form: Record<string, unknown>, mode: "create" | "update"): Record<string, unknown> {
  const text = (name: string) => (typeof form[name] === "string" ? (form[name] as string) : undefined);
  const events = NOTIFICATION_EVENTS.filter((event) => form[`event-${event}`] === "on");
  const chosen = Object.keys(form)
    .filter((key) => key.startsWith("link-") && form[key] === "on")
    .map((key) => key.slice(5));
  const kind = mode === "create" ? text("kind") : text("channelKind");
  const out: Record<string, unknown> = { name: text("name"), events, links: text("links") === "chosen" ? chosen : "all" };
  if (mode === "create") out.kind = kind;
  if (kind === "email") {
    out.recipients = (text("recipients") ?? "")
      .split(/[\s,;]+/)
      .map((r) => r.trim())
      .filter(Boolean);
  } else if (kind === "webhook") {
    const url = text("url")?.trim();
    // Changing: a blank URL keeps the stored one (it is shown masked, never filled in).
    if (mode === "create" || url) out.url = url ?? "";
    out.format = text("format");
  }
  return out;
}
