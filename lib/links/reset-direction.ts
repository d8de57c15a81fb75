import type { Db } from "@/lib/db";
import { revokeIssuedTokensOfLink } from "@/lib/incoming/issued-tokens";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { fetchConsumerInfo } from "@/lib/links/discover";
import { RemoteFetchError } from "@/lib/outgoing/remote-fetch";
import { linkAuditView } from "@/lib/links/serialize";
import { versionedUpdate } from "@/lib/links/versioned-update";
import { discardOutgoingTokens } from "@/lib/outgoing/three-legged";
import { rpcUrlOf } from "@/lib/outgoing/rpc-url";

export type Direction = "incoming" | "outgoing" | "both";

export interface ResetReport {
  direction: Direction;
  incoming?: {
    /** The consumer key that was forgotten (the remote's stale one). */
    forgottenConsumerKey: string | null;
    /** Tokens this app had issued to that consumer, now revoked. */
    tokensRevoked: number;
    noncesDeleted: number;
    /** Whether the remote's consumer info was fetched again; if not, why. */
    refetched: boolean;
    refetchProblem?: string;
  };
  outgoing?: {
    /** Access tokens this app held for the link (people must authorize again). */
    accessTokensDiscarded: number;
  };
}

/**
 * Resets OAuth for a direction, as Atlassian's "disable and enable OAuth" cures a stale consumer
 * key (`consumer_key_unknown`): incoming forgets the remote consumer, revokes what was issued to it
 * and fetches its consumer info again; outgoing discards the access tokens held for the link. The
 * direction's switches stay as they were; other links and settings are untouched. One transaction,
 * audited, with counts.
 */
export async function resetDirection(db: Db, actor: Actor, id: string, direction: Direction, options: { fetchConsumer?: boolean } = {}): Promise<ResetReport> {
  const link = await findLinkOrThrow(db, id);
  // Fetch first (network, outside the transaction); the reset itself does not depend on it.
  let fresh: Awaited<ReturnType<typeof fetchConsumerInfo>> | null = null;
  let refetchProblem: string | undefined;
  if (direction !== "outgoing" && options.fetchConsumer === false) {
    refetchProblem = "Not fetched (asked not to): fetch the remote's consumer on the link page, or paste it.";
  } else if (direction !== "outgoing" && link.rpcUrl === null) {
    refetchProblem = "Not fetched: this external application only calls in and has no RPC URL to fetch it from. Paste its consumer on the link page.";
  } else if (direction !== "outgoing") {
    try {
      fresh = await fetchConsumerInfo(rpcUrlOf(link));
    } catch (error) {
      if (!(error instanceof RemoteFetchError)) throw error;
      refetchProblem = `${error.message} Paste the remote's consumer key and public key on the link page.`;
    }
  }

  return db.$transaction(async (tx) => {
    const before = await findLinkOrThrow(tx, id);
    const report: ResetReport = { direction };
    let after = before;
    if (direction !== "outgoing") {
      const noncesDeleted = before.inConsumerKey ? (await tx.oAuthNonce.deleteMany({ where: { consumerKey: before.inConsumerKey } })).count : 0;
      const tokensRevoked = await revokeIssuedTokensOfLink(tx, id);
      const clash = fresh ? await tx.link.count({ where: { inConsumerKey: fresh.key, id: { not: id } } }) : 0;
      const usable = fresh && !clash ? fresh : null;
      after = await versionedUpdate(tx, after, undefined, {
        inConsumerKey: usable?.key ?? null,
        inConsumerName: usable?.name ?? null,
        inPublicKeyPem: usable?.publicKeyPem ?? null,
      });
      report.incoming = {
        forgottenConsumerKey: before.inConsumerKey,
        tokensRevoked,
        noncesDeleted,
        refetched: !!usable,
        ...(usable ? {} : { refetchProblem: clash ? "Another link already uses the consumer key the remote reports." : refetchProblem }),
      };
    }
    if (direction !== "incoming") {
      const accessTokensDiscarded = await discardOutgoingTokens(tx, id);
      after = await versionedUpdate(tx, after, undefined, {});
      report.outgoing = { accessTokensDiscarded };
    }
    await recordAudit(tx, actor, {
      action: "link.reset",
      targetType: "link",
      targetId: id,
      targetLabel: after.name,
      before: linkAuditView(before),
      after: { ...linkAuditView(after), reset: report },
    });
    return report;
  });
}
