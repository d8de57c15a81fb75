import type { Levels } from "@/lib/links/levels";

/*
 * A proposal another instance's diagnostics sends an admin here with ("Fix on the remote"): `out`
 * and `in` are the levels this side should have (`3lo,2lo,2loi`, or `none`), `refetch` asks to fetch
 * the remote's consumer again, `from` is the proposing instance and `back` its page for the link.
 * Nothing is applied until an admin here confirms it.
 */

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

type Query = Record<string, string | string[] | undefined>;

/** A query parameter given once, as a string (a repeated one is no proposal's). */
export function queryValue(query: Query, key: string): string | undefined {
  const value = query[key];
  return typeof value === "string" ? value : undefined;
}

/** The levels a proposal in an address carries (`out`, `in`) and whether it asks for a refetch; null when it proposes nothing. */
export function proposedLevels(query: Query): { outgoing?: Levels; incoming?: Levels; refetch: boolean; malformed: boolean } | null {
  const one = (k: string) => queryValue(query, k);
  const outgoing = one("out") ? parseLevels(one("out")!) : undefined;
  const incoming = one("in") ? parseLevels(one("in")!) : undefined;
  const refetch = one("refetch") === "1";
  const malformed = (one("out") !== undefined && !outgoing) || (one("in") !== undefined && !incoming);
  if (!outgoing && !incoming && !refetch && !malformed) return null;
  return { outgoing, incoming, refetch, malformed };
}

/** What the link page shows of a proposal in its address. */
export type ProposalView =
  | { kind: "proposal"; from: string; back: string | null; outgoing?: Levels; incoming?: Levels; refetch: boolean }
  | { kind: "refused"; reason: string };

/**
 * A proposal for an existing link, as its page shows it: only from that link's own remote (the
 * `from` origin is the origin of its RPC or display URL), with a way back only to a page of that
 * origin, and only the levels that would change. Anything else is refused with a reason in this
 * app's words, never repeating what the address says: an address is not the remote speaking.
 * Null when the address proposes nothing.
 */
export function proposalFor(
  query: Query,
  link: { name: string; rpcUrl: string | null; displayUrl: string | null },
  ours: { outgoing: Levels; incoming: Levels },
): ProposalView | null {
  const proposed = proposedLevels(query);
  if (!proposed) return null;
  const own = [link.rpcUrl, link.displayUrl].flatMap((url) => (url && httpUrl(url) ? [new URL(url).origin] : []));
  const from = httpUrl(queryValue(query, "from"));
  const origin = from ? new URL(from).origin : null;
  if (!origin || !own.includes(origin)) {
    return { kind: "refused", reason: `A proposed change in this page's address was ignored: proposals for this link come only from ${link.name} itself (${own[0] ?? "its own address"}).` };
  }
  if (proposed.malformed) return { kind: "refused", reason: `A proposed change in this page's address was ignored: it does not name levels this app knows.` };
  const back = httpUrl(queryValue(query, "back"));
  const differs = (a: Levels | undefined, b: Levels) => (a && levelsParam(a) !== levelsParam(b) ? a : undefined);
  const outgoing = differs(proposed.outgoing, ours.outgoing);
  const incoming = differs(proposed.incoming, ours.incoming);
  // A proposal that changes nothing (already applied) is still shown, as such.
  return { kind: "proposal", from: origin, back: back && new URL(back).origin === origin ? back : null, outgoing, incoming, refetch: proposed.refetch };
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

/**
 * Where the browser goes once a link proposed by another instance is created here: that
 * instance's page (`back`), only when it is on the new link's own origin (its RPC or display
 * URL), with `linked=1` so that page checks its link again. Null otherwise: an address is not the
 * remote speaking, and this app never sends an admin to a third site.
 */
export function returnAddress(back: string | undefined, link: { rpcUrl: string | null; displayUrl: string | null }): string | null {
  const target = httpUrl(back);
  if (!target) return null;
  const own = [link.rpcUrl, link.displayUrl].flatMap((url) => (url && httpUrl(url) ? [new URL(url).origin] : []));
  const url = new URL(target);
  if (!own.includes(url.origin)) return null;
  url.searchParams.set("linked", "1");
  return url.href;
}
