import { Lozenge } from "@/components/ui/lozenge";
import type { LinkStatusCode } from "@/lib/links/schemas";

const TONE: Record<LinkStatusCode, "success" | "danger" | "warning" | "neutral"> = {
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

/** How a status reads on a lozenge (Atlassian's words). */
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

export function StatusLozenge({ status }: { status: LinkStatusCode }) {
  return (
    <span data-status={status}>
      <Lozenge tone={TONE[status]}>{STATUS_LABEL[status]}</Lozenge>
    </span>
  );
}
