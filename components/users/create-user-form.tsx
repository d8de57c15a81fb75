"use client";

import { useActionState } from "react";
import { SelectField, TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SecretOnce } from "@/components/ui/secret-once";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

type Result = ActionResult<{ username: string; generatedPassword: string | undefined }>;

export function CreateUserForm({ action }: { action: (state: Result | null, form: FormData) => Promise<Result> }) {
  const [state, formAction] = useActionState(action, null);
  const fields = state && !state.ok ? state.fields : undefined;
  // React resets a form after its action; a refused form comes back with what was typed.
  const values = state && !state.ok ? state.values : undefined;
  return (
    <form action={formAction} className="flex flex-col gap-4" aria-label="Create user" noValidate>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField id="new-username" name="username" label="Username" autoComplete="off" required defaultValue={values?.username} error={fields?.username} />
        <TextField id="new-email" name="email" label="Email" type="email" autoComplete="off" required defaultValue={values?.email} error={fields?.email} />
        <TextField id="new-displayName" name="displayName" label="Display name" hint="Defaults to the username." defaultValue={values?.displayName} error={fields?.displayName} />
        <SelectField key={values?.role ?? "USER"} id="new-role" name="role" label="Role" defaultValue={values?.role ?? "USER"} error={fields?.role}>
          <option value="USER">User: uses links, manages own tokens</option>
          <option value="ADMIN">Administrator: manages links, users, settings</option>
        </SelectField>
        <TextField
          id="new-password"
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="At least 12 characters. Leave empty to generate one."
          error={fields?.password}
        />
      </div>
      <FormMessage result={state} />
      {state?.ok && state.data?.generatedPassword ? (
        <SecretOnce label={`Password for ${state.data.username}`} value={state.data.generatedPassword} />
      ) : null}
      <div>
        <SubmitButton pendingLabel="Creating…">Create user</SubmitButton>
      </div>
    </form>
  );
}
