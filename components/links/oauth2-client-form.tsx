"use client";

import { useActionState } from "react";
import { CopyField } from "@/components/ui/copy-field";
import { TextAreaField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SecretOnce } from "@/components/ui/secret-once";
import { SubmitButton } from "@/components/ui/submit-button";
import { Time } from "@/components/ui/time";
import type { ActionResult } from "@/lib/actions/define-action";

type SecretResult = ActionResult<{ clientSecret: string | undefined }>;
type Action = (s: SecretResult | null, f: FormData) => Promise<SecretResult>;

/** What the page knows of the link's OAuth 2.0 client (never its secret). */
export interface OAuth2ClientProps {
  clientId: string;
  redirectUris: string[];
  scopes: string[];
  secretRotatedAt: Date;
}

/**
 * Incoming OAuth 2.0 on a link: the redirect URLs and scopes an external application may use,
 * its client id and the endpoints to enter there, and its secret, shown once when OAuth 2.0 is
 * turned on or the secret rotated.
 */
export function OAuth2ClientForm({
  save,
  rotate,
  turnOff,
  linkId,
  linkName,
  client,
  scopeWords,
  endpoints,
}: {
  save: Action;
  rotate: Action;
  turnOff: (s: ActionResult | null, f: FormData) => Promise<ActionResult>;
  linkId: string;
  linkName: string;
  client: OAuth2ClientProps | null;
  scopeWords: Record<string, string>;
  endpoints: { authorize: string; token: string; metadata: string };
}) {
  const [saved, saveAction] = useActionState(save, null);
  const [rotated, rotateAction] = useActionState(rotate, null);
  const [off, offAction] = useActionState(turnOff, null);
  const fields = saved && !saved.ok ? saved.fields : undefined;
  const values = saved && !saved.ok ? saved.values : undefined;
  const secret = (rotated?.ok ? rotated.data?.clientSecret : undefined) ?? (saved?.ok ? saved.data?.clientSecret : undefined);
  const checked = (scope: string) => (values ? values[`scope-${scope}`] === "on" : (client?.scopes.includes(scope) ?? scope === "READ"));
  return (
    <div className="flex flex-col gap-4">
      {secret ? <SecretOnce label={`Client secret for ${linkName}: enter it in the other application with the client id.`} value={secret} /> : null}
      {client ? (
        <div className="flex flex-col gap-3 rounded-md bg-surface-2 p-3">
          <CopyField label="Client id" value={client.clientId} />
          <p className="text-sm">
            Client secret: set (last changed <Time value={client.secretRotatedAt} />
            ). It is never shown again; rotate it to get a new one.
          </p>
          <CopyField label="Authorization URL" value={endpoints.authorize} />
          <CopyField label="Token URL" value={endpoints.token} />
          <CopyField label="Server metadata (RFC 8414)" value={endpoints.metadata} />
        </div>
      ) : (
        <p className="text-sm text-muted">
          Off. Turn it on for an external application (a CI server, a merge tool, a data connector) that asks each person here for access with OAuth 2.0, as Jira and
          Confluence Data Center link external applications.
        </p>
      )}
      <form action={saveAction} className="flex flex-col gap-3" aria-label="Incoming OAuth 2.0" key={values ? JSON.stringify(values) : `saved-${JSON.stringify(client)}`}>
        <input type="hidden" name="id" value={linkId} />
        <TextAreaField
          id="redirectUris"
          label="Redirect URLs (one per line)"
          rows={3}
          defaultValue={values?.redirectUris ?? client?.redirectUris.join("\n") ?? ""}
          error={fields?.redirectUris}
          hint="Where the application receives its code: https, or plain http on a loopback address. Matched exactly."
        />
        <fieldset className="flex flex-col gap-2" aria-describedby={fields?.scopes ? "scopes-error" : undefined}>
          <legend className="mb-1 text-sm font-medium">Scopes it may ask for</legend>
          {Object.entries(scopeWords).map(([scope, words]) => (
            <label key={scope} className="flex items-start gap-2 text-sm">
              <input type="checkbox" name={`scope-${scope}`} defaultChecked={checked(scope)} className="mt-1" />
              <span>
                <strong>{scope}</strong>: {words}
              </span>
            </label>
          ))}
          {fields?.scopes ? (
            <p id="scopes-error" className="text-xs text-danger" role="alert">
              {fields.scopes}
            </p>
          ) : null}
        </fieldset>
        <FormMessage result={saved} />
        <div>
          <SubmitButton pendingLabel="Saving…">{client ? "Save OAuth 2.0" : "Turn on OAuth 2.0"}</SubmitButton>
        </div>
      </form>
      {client ? (
        <p className="text-sm text-muted">
          Rotating the secret stops the old one at once; people&apos;s authorizations are kept. Turning OAuth 2.0 off ends every authorization and token at once, and
          turning it on again gives a new client id and secret.
        </p>
      ) : null}
      {client ? (
        <div className="flex flex-wrap gap-3">
          <form action={rotateAction} aria-label="Rotate the client secret">
            <input type="hidden" name="id" value={linkId} />
            <SubmitButton variant="secondary" pendingLabel="Rotating…">
              Rotate client secret
            </SubmitButton>
            {rotated && !rotated.ok ? <FormMessage result={rotated} /> : null}
          </form>
          <form action={offAction} aria-label="Turn off OAuth 2.0">
            <input type="hidden" name="id" value={linkId} />
            <SubmitButton variant="danger" pendingLabel="Turning off…">
              Turn off OAuth 2.0
            </SubmitButton>
            <FormMessage result={off} />
          </form>
        </div>
      ) : null}
    </div>
  );
}
