/** One line per direction: "3LO, 2LO, impersonation" or "off". */
export function authSummary(d: { enabled: boolean; threeLegged: boolean; twoLegged: boolean; twoLeggedForUsers?: boolean; impersonation: boolean }): string {
  if (!d.enabled) return "off";
  const parts = [d.threeLegged && "3LO", d.twoLegged && (d.twoLeggedForUsers ? "2LO (all users)" : "2LO"), d.impersonation && "impersonation"].filter(Boolean);
  return parts.length ? parts.join(", ") : "on, no flow chosen";
}
