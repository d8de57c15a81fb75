import type { Metadata } from "next";
import Link from "next/link";
import { cookies } from "next/headers";
import { ChangePasswordForm, ThemeForm } from "@/components/settings/settings-forms";
import { Card, PageHeader } from "@/components/ui/card";
import { CopyField } from "@/components/ui/copy-field";
import { aboutInstance } from "@/lib/about";
import { db } from "@/lib/db";
import { ensureAppIdentity } from "@/lib/identity/app-identity";
import { requirePageCaller } from "@/lib/api/server-caller";
import { parseTheme, THEME_COOKIE } from "@/lib/ui/theme";
import { RotateKeyForm } from "@/components/settings/rotate-key-form";
import { linksUsingOurKey } from "@/lib/identity/rotate-key";
import { keyProviderStatusNow } from "@/lib/vault/vault";
import { Time } from "@/components/ui/time";
import { changePasswordAction, rotateKeyAction, setThemeAction } from "./actions";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const caller = await requirePageCaller("/settings");
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  const about = caller.role === "ADMIN" ? aboutInstance() : null;
  const keys = about ? await keyProviderStatusNow() : null;
  const identity = caller.role === "ADMIN" ? await ensureAppIdentity(db) : null;
  const affected = identity ? await linksUsingOurKey(db) : [];
  const channelCount = identity ? await db.notificationChannel.count() : 0;
  return (
    <>
      <PageHeader title="Settings" />
      {/* min-w-0: a long fingerprint or path wraps inside its card instead of widening the grid past a phone's screen. */}
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2 [&>*]:min-w-0">
        <Card>
          <h2 className="mb-4 text-lg font-semibold">Your password</h2>
          <ChangePasswordForm action={changePasswordAction} />
        </Card>
        <Card>
          <h2 className="mb-4 text-lg font-semibold">Appearance</h2>
          <ThemeForm action={setThemeAction} current={theme} />
        </Card>
        {identity ? (
          <Card className="lg:col-span-2" aria-labelledby="notifications-heading">
            <h2 id="notifications-heading" className="mb-1 text-lg font-semibold">
              Notifications
            </h2>
            <p className="text-sm text-muted">
              Email and webhooks that tell administrators when a link breaks, recovers, or a certificate is about to end:{" "}
              <Link href="/settings/notifications" className="font-medium text-fg underline">
                {channelCount ? `${channelCount} channel${channelCount === 1 ? "" : "s"}` : "no channel yet"}; set them up
              </Link>
              .
            </p>
          </Card>
        ) : null}
        {identity ? (
          <Card className="lg:col-span-2" aria-labelledby="identity-heading">
            <h2 id="identity-heading" className="mb-1 text-lg font-semibold">
              This app as an OAuth consumer
            </h2>
            <p className="mb-4 text-sm text-muted [overflow-wrap:anywhere]">What a remote admin enters for this app. Instance {identity.instanceId}, key fingerprint {identity.fingerprint}.</p>
            <div className="flex flex-col gap-3">
              <CopyField label="Consumer key" value={identity.consumerKey} />
              <CopyField label="Consumer name" value={identity.consumerName} />
              <CopyField label="Public key (base64, as Jira asks)" value={identity.publicKeyBase64} />
              <CopyField label="Public key (PEM)" value={identity.publicKeyPem} multiline />
              <RotateKeyForm action={rotateKeyAction} affected={affected} />
            </div>
          </Card>
        ) : null}
        {about ? (
          <Card className="lg:col-span-2">
            <h2 className="mb-4 text-lg font-semibold">This instance</h2>
            <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[12rem_1fr]">
              <dt className="text-muted">Version</dt>
              <dd>{about.version}</dd>
              <dt className="text-muted">Database</dt>
              <dd>{about.database}</dd>
              <dt className="text-muted">Data folder</dt>
              <dd className="font-mono [overflow-wrap:anywhere]">{about.dataDir}</dd>
              <dt className="text-muted">Sessions</dt>
              <dd>
                {about.sessionHours} hours, {about.secureCookies ? "Secure cookies (https)" : "cookies without Secure (http)"}
              </dd>
              <dt className="text-muted">Behind a proxy</dt>
              <dd>{about.trustProxy ? "yes: X-Forwarded-* headers are trusted" : "no: X-Forwarded-* headers are ignored"}</dd>
              <dt className="text-muted">Sign-in throttle</dt>
              <dd>{about.signInThrottle}</dd>
              <dt className="text-muted">Master key</dt>
              <dd className="[overflow-wrap:anywhere]">
                {keys?.provider === "pkcs11" ? "In the HSM (PKCS#11): it never leaves it" : keys?.provider === "env" ? "APP_MASTER_KEY (in this process's environment)" : "The data folder's master-key file"}
                {keys?.keyId ? `, key ${keys.keyId}` : ""}.
                {keys?.status === "unavailable" ? (
                  <span role="alert" className="mt-1 block text-danger">
                    Not answering since <Time value={keys.since ?? null} />: {keys.problem} Secrets already opened keep working; new ones cannot be sealed.
                  </span>
                ) : null}
              </dd>
            </dl>
          </Card>
        ) : null}
      </div>
    </>
  );
}
