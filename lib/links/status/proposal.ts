import type { Levels } from "@/lib/links/status/derive";

/**
 * A proposal another instance's diagnostics sends an admin here with ("Fix on the remote"):
 * `out` and `in` are the levels this side should have (`3lo,2lo,2loi`, or `none`), `refetch` asks
 * to fetch the remote's consumer again, `from` names the instance that proposed it. Nothing is
 * applied until an admin here confirms it.
 */
export interface Proposal {
  from: string | null;
  /** The proposing instance's page for its link, to return to. */
  back: string | null;
  outgoing?: Levels;
  incoming?: Levels;
  refetch: boolean;
}

/** Levels → `3lo,2lo,2loi` (those on) or `none`: the form a proposal carries them in. */
export function levelsParam(levels: Levels): string {
  return [levels.threeLegged ? "3lo" : "", levels.twoLegged ? "2lo" : "", levels.impersonation ? "2loi" : ""].filter(Boolean).join(",") || "none";
}

/** `3lo,2lo,2loi` or `none` → levels; anything else → undefined (the proposal is ignored). */
export function parseLevels(text: string): Levels | undefined {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length === 1 && parts[0] === "none") return { threeLegged: false, twoLegged: false, impersonation: false };
  if (!parts.every((p) => p === "3lo" || p === "2lo" || p === "2loi")) return undefined;
  return { threeLegged: parts.includes("3lo"), twoLegged: parts.includes("2lo"), impersonation: parts.includes("2loi") };
}

export function proposalOf(query: Record<string, string | string[] | undefined>): Proposal | null {
  const one = (k: string) => (typeof query[k] === "string" ? (query[k] as string) : undefined);
  const outgoing = one("out") ? parseLevels(one("out")!) : undefined;
  const incoming = one("in") ? parseLevels(one("in")!) : undefined;
  const refetch = one("refetch") === "1";
  if (!outgoing && !incoming && !refetch) return null;
  const from = httpUrl(one("from"));
  const back = httpUrl(one("back"));
  // Only a page of the proposing instance is offered as the way back.
  return { from: from ? new URL(from).origin : null, back: back && from && new URL(back).origin === new URL(from).origin ? back : null, outgoing, incoming, refetch };
}

function httpUrl(text: string | undefined): string | null {
  try {
    const url = new URL(text ?? "");
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

export function levelsText(levels: Levels): string {
  const on = [levels.threeLegged ? "3LO" : "", levels.twoLegged ? "2LO" : "", levels.impersonation ? "2LO with impersonation" : ""].filter(Boolean);
  return on.length ? on.join(", ") : "off";
}
