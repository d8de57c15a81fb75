import type { Db } from "@/lib/db";
import { linkCertificateExpiryGauge, linkStatusChangedGauge, linkStatusGauge } from "@/lib/metrics";
import { clientCertificateInfoOf } from "@/lib/outgoing/schemes";

/**
 * Sets the links' gauges from the database, just before a scrape: each link's current status as one
 * series (a disabled link is DISABLED; one never checked UNCHECKED), when its status last changed,
 * and when its client certificate expires. The gauges are emptied first, so a status the link left,
 * or a link deleted, has no series any more.
 */
export async function refreshLinkMetrics(db: Db): Promise<void> {
  const [links, changed] = await Promise.all([
    db.link.findMany({ select: { id: true, name: true, disabled: true, outClientCertInfo: true, status: { select: { status: true } } } }),
    db.linkStatusChange.groupBy({ by: ["linkId"], _max: { at: true } }),
  ]);
  const lastChange = new Map(changed.map((c) => [c.linkId, c._max.at]));
  linkStatusGauge.reset();
  linkStatusChangedGauge.reset();
  linkCertificateExpiryGauge.reset();
  for (const link of links) {
    const labels = { link: link.id, name: link.name };
    linkStatusGauge.set({ ...labels, status: link.disabled ? "DISABLED" : (link.status?.status ?? "UNCHECKED") }, 1);
    const at = lastChange.get(link.id);
    if (at) linkStatusChangedGauge.set(labels, Math.floor(at.getTime() / 1000));
    const certificate = clientCertificateInfoOf(link);
    if (certificate) linkCertificateExpiryGauge.set(labels, Math.floor(Date.parse(certificate.validTo) / 1000));
  }
}
