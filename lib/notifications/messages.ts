import type { EventDetail } from "@/lib/outbox/events";
import { STATUS_LABEL, asSentence } from "@/lib/status/words";
import { FAILED_STATUSES } from "@/lib/history/status-history";
import type { LinkStatusCode } from "@/lib/links/schemas";
import type { WebhookFormat } from "@/lib/notifications/channels";

/** An event as it is told: to a webhook in its format, and by email. */
export interface Notice {
  id: string;
  /** an event name, or "test" */
  type: string;
  at: Date;
  link: { id: string | null; name: string; page: string | null };
  detail: EventDetail;
}

const statusWords = (status: string | null | undefined) => (status ? (STATUS_LABEL[status as LinkStatusCode] ?? status) : "none");
const NOTICED_BY: Record<string, string> = { traffic: "a real request through the link", background: "a check", admin: "an admin's Check now" };

/** The link page of a link, from APP_URL (null when it is not set or the link is gone). */
export function linkPageUrl(baseUrl: string | null, linkId: string | null): string | null {
  return baseUrl && linkId ? `${baseUrl}/links/${encodeURIComponent(linkId)}` : null;
}

/** The one-line headline. */
export function noticeTitle(notice: Notice): string {
  const { name } = notice.link;
  const d = notice.detail;
  switch (notice.type) {
    case "status-worse":
      return d.from && FAILED_STATUSES.has(d.from) ? `${name} still does not work, now: ${statusWords(d.to)}` : `${name} stopped working: ${statusWords(d.to)}`;
    case "status-recovered":
      return `${name} works again: ${statusWords(d.to)}`;
    case "consumer-forgotten":
      return `${name} no longer knows this app's consumer`;
    case "expiry-soon":
      return `${name}: ${d.what ?? "a credential"} ends on ${(d.endsAt ?? "").slice(0, 10)}`;
    case "link-disabled":
      return `${name} was disabled${d.by ? ` by ${d.by}` : ""}`;
    case "link-deleted":
      return `${name} was deleted${d.by ? ` by ${d.by}` : ""}`;
    default:
      return `Test from Applink Admin: this channel works`;
  }
}

/** The facts under the headline, as label and value, in the order a person reads them. */
export function noticeFacts(notice: Notice): [string, string][] {
  const d = notice.detail;
  const facts: [string, string][] = [];
  if (d.to) facts.push(["Change", `${statusWords(d.from)} → ${statusWords(d.to)}`]);
  if (d.cause) facts.push(["Cause", asSentence(d.cause)]);
  if (d.fix) facts.push(["Fix", d.fix]);
  if (d.source) facts.push(["Noticed by", NOTICED_BY[d.source] ?? d.source]);
  if (d.endsAt) facts.push(["Ends", d.endsAt]);
  if (notice.type === "test") facts.push(["Sent", "because an administrator pressed Send a test."]);
  facts.push(["When", notice.at.toISOString()]);
  if (notice.link.page) facts.push(["Link page", notice.link.page]);
  return facts;
}

/** Plain text: the headline, then each fact on its line. */
export function noticeText(notice: Notice): string {
  return [noticeTitle(notice), "", ...noticeFacts(notice).map(([label, value]) => `${label}: ${value}`)].join("\n");
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The email: subject, text and a small HTML part with the same facts. */
export function noticeEmail(notice: Notice): { subject: string; text: string; html: string } {
  const rows = noticeFacts(notice)
    .map(([label, value]) => `<tr><th align="left" style="padding:2px 12px 2px 0;vertical-align:top">${escapeHtml(label)}</th><td>${label === "Link page" ? `<a href="${escapeHtml(value)}">${escapeHtml(value)}</a>` : escapeHtml(value)}</td></tr>`)
    .join("");
  return {
    subject: `[Applink Admin] ${noticeTitle(notice)}`,
    text: `${noticeText(notice)}\n\n— Applink Admin (event ${notice.id})\n`,
    html: `<!doctype html><html><body><h1 style="font-size:18px">${escapeHtml(noticeTitle(notice))}</h1><table>${rows}</table><p style="color:#666">Applink Admin, event ${escapeHtml(notice.id)}</p></body></html>`,
  };
}

/** Slack's mrkdwn wants &, < and > escaped (and nothing else). */
const slackEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The JSON body a webhook gets, in its format. */
export function webhookBody(notice: Notice, format: WebhookFormat): unknown {
  const title = noticeTitle(notice);
  const facts = noticeFacts(notice).filter(([label]) => label !== "Link page");
  const page = notice.link.page;
  if (format === "slack") {
    return {
      text: title,
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: `*${slackEscape(title)}*\n${facts.map(([label, value]) => `*${slackEscape(label)}:* ${slackEscape(value)}`).join("\n")}` } },
        ...(page ? [{ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open the link page" }, url: page }] }] : []),
      ],
    };
  }
  if (format === "teams") {
    return {
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            body: [
              { type: "TextBlock", size: "Medium", weight: "Bolder", text: title, wrap: true },
              { type: "FactSet", facts: facts.map(([label, value]) => ({ title: label, value })) },
            ],
            ...(page ? { actions: [{ type: "Action.OpenUrl", title: "Open the link page", url: page }] } : {}),
          },
        },
      ],
    };
  }
  return { id: notice.id, type: notice.type, at: notice.at.toISOString(), title, text: noticeText(notice), link: notice.link, ...notice.detail };
}
