import type { Db } from "@/lib/db";
import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { createLinkSchema, type CreateLinkInput } from "@/lib/links/schemas";
import { discoverManifest, fetchConsumerInfo, type RemoteConsumer } from "@/lib/links/discover";
import { RemoteFetchError } from "@/lib/outgoing/remote-fetch";
import { linkAuditView } from "@/lib/links/serialize";
import { linkAddressWarnings } from "@/lib/links/address-warnings";
import { ensureAppIdentity } from "@/lib/identity/app-identity";

export interface CreateLinkResult {
  link: Link;
  /** Things the admin should know (a base URL that differs from the one entered, a consumer not fetched, an address that is link-local, unspecified or this app). */
  warnings: string[];
}

/**
 * Creates a link. From `{rpcUrl}` alone it reads the remote's manifest (name, type, application
 * id); with `{name, type, rpcUrl}` it creates the link as given; with `{name, type: "generic"}` alone, an
 * external application that only calls in (no RPC URL). The first link of a type becomes
 * its primary. A second link to the same application id or RPC URL is refused, and so is a link to
 * this application itself (its own application id in the manifest): 409.
 */
export async function createLink(db: Db, actor: Actor, input: CreateLinkInput): Promise<CreateLinkResult> {
  const parsed = createLinkSchema.parse(input);
  if (parsed.rpcUrl === undefined) return createIncomingOnly(db, actor, parsed.name!);
  const warnings: string[] = [];
  let name = parsed.name;
  let type = parsed.type;
  let remoteAppId: string | null = null;
  const rpcUrl: string = parsed.rpcUrl;
  if (!name || !type) {
    try {
      const manifest = await discoverManifest(rpcUrl);
      name = manifest.name;
      type = manifest.type;
      remoteAppId = manifest.id;
      if (manifest.url && manifest.url !== rpcUrl) {
        warnings.push(
          `The application reports its base URL as ${manifest.url}, not ${rpcUrl}. Requests signed for one URL and received at the other fail with signature_invalid: use the URL it reports unless a proxy sits between.`,
        );
      }
    } catch (error) {
      if (error instanceof RemoteFetchError) {
        throw new AppError("discovery_failed", `No applinks manifest could be read: ${error.message} Create the link manually (name and type, e.g. generic).`, {
          fields: { rpcUrl: error.message },
        });
      }
      throw error;
    }
  }

  // This application itself, known by the application id in the manifest (whatever URL reached it):
  // a link to itself proves nothing about a remote and would become a primary link. Refused, as
  // Atlassian refuses it.
  if (remoteAppId && remoteAppId === (await ensureAppIdentity(db)).instanceId) {
    const message = `${rpcUrl} is this application itself (its manifest carries this app's own application id, ${remoteAppId}): a link needs another application. Enter the other application's URL.`;
    throw new AppError("conflict", message, { fields: { rpcUrl: message } });
  }
  warnings.push(...(await linkAddressWarnings(db, rpcUrl, remoteAppId)));

  let consumer: RemoteConsumer | null = null;
  if (parsed.fetchConsumer) {
    try {
      consumer = await fetchConsumerInfo(rpcUrl);
    } catch (error) {
      if (!(error instanceof RemoteFetchError)) throw error;
      warnings.push(`Incoming was not set up: ${error.message} Fetch or paste the consumer on the link page.`);
    }
  }

  const link = await db.$transaction(async (tx) => {
    const clash = await tx.link.findFirst({
      where: { OR: [{ rpcUrl: rpcUrl }, ...(remoteAppId ? [{ remoteAppId }] : []), ...(consumer ? [{ inConsumerKey: consumer.key }] : [])] },
      select: { name: true, rpcUrl: true, remoteAppId: true },
    });
    if (clash) {
      const message = `"${clash.name}" already links to this application.`;
      throw new AppError("conflict", message, { fields: { rpcUrl: message } });
    }
    const primary = (await tx.link.count({ where: { type: type! } })) === 0;
    const created = await tx.link.create({
      data: {
        name: name!,
        type: type!,
        rpcUrl: rpcUrl,
        displayUrl: parsed.displayUrl ?? rpcUrl,
        remoteAppId,
        primary,
        // Discovery found an OAuth-capable remote (a manifest and its consumer): OAuth both ways,
        // as Atlassian's wizard sets it up: 3LO and 2LO out, 3LO in (incoming 2LO waits for the
        // local user it runs as), impersonation off (it needs a shared user base, confirmed).
        ...(consumer
          ? { inEnabled: true, inConsumerKey: consumer.key, inConsumerName: consumer.name, inPublicKeyPem: consumer.publicKeyPem, in3lo: true, ...(remoteAppId ? { outEnabled: true, out3lo: true, out2lo: true } : {}) }
          : {}),
      },
    });
    await recordAudit(tx, actor, { action: "link.create", targetType: "link", targetId: created.id, targetLabel: created.name, after: linkAuditView(created) });
    return created;
  });
  return { link, warnings };
}

/**
 * An external application that only calls in (its people authorize it by OAuth 2.0): no RPC URL,
 * no manifest, nothing this app sends it. Turn on OAuth 2.0 on its page next.
 */
async function createIncomingOnly(db: Db, actor: Actor, name: string): Promise<CreateLinkResult> {
  const link = await db.$transaction(async (tx) => {
    const primary = (await tx.link.count({ where: { type: "generic" } })) === 0;
    const created = await tx.link.create({ data: { name, type: "generic", rpcUrl: null, displayUrl: "", primary } });
    await recordAudit(tx, actor, { action: "link.create", targetType: "link", targetId: created.id, targetLabel: created.name, after: linkAuditView(created) });
    return created;
  });
  return { link, warnings: [] };
}
