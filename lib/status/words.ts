import type { LinkStatusCode } from "@/lib/links/schemas";

/** The tone a status is shown in: on its lozenge, and in what a check says about it. */
export const STATUS_TONE: Record<LinkStatusCode, "success" | "danger" | "warning" | "neutral"> = {
  CONNECTED: "success",
  DISABLED: "neutral",
  UNCHECKED: "neutral",
  NETWORK_ERROR: "danger",
  INCOMPATIBLE: "danger",
  CONFIG_ERROR: "danger",
  ACCESS_DENIED: "warning",
  AUTHENTICATE: "warning",
  UPGRADE_CONFIG: "warning",
};

/** How a status reads, in words (Atlassian's): never the raw code. */
export const STATUS_LABEL: Record<LinkStatusCode, string> = {
  CONNECTED: "Connected",
  DISABLED: "Disabled",
  UNCHECKED: "Not checked yet",
  NETWORK_ERROR: "Network error",
  INCOMPATIBLE: "Incompatible",
  CONFIG_ERROR: "Config error",
  ACCESS_DENIED: "Access denied",
  AUTHENTICATE: "Authenticate to see status",
  UPGRADE_CONFIG: "Upgrade config",
};

/** A cause as a sentence: many begin with an error's own lower-case words. */
export function asSentence(text: string): string {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

/** A check's outcome as a sentence in the status's own tone: "Checked: Network error. <cause>" */
export function checkedMessage(status: LinkStatusCode, cause: string | null | undefined): { message: string; tone: "success" | "warning" | "danger" } {
  const tone = STATUS_TONE[status];
  const sentence = cause ? ` ${asSentence(cause)}` : "";
  return { message: `Checked: ${STATUS_LABEL[status]}.${status === "CONNECTED" ? "" : sentence}`, tone: tone === "neutral" ? "warning" : tone };
}
