import { Lozenge } from "@/components/ui/lozenge";
import type { LinkStatusCode } from "@/lib/links/schemas";
import { STATUS_LABEL, STATUS_TONE } from "@/lib/status/words";

export { STATUS_LABEL } from "@/lib/status/words";

export function StatusLozenge({ status }: { status: LinkStatusCode }) {
  return (
    <span data-status={status}>
      <Lozenge tone={STATUS_TONE[status]}>{STATUS_LABEL[status]}</Lozenge>
    </span>
  );
}
