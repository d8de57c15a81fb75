"use client";

import { useActionState } from "react";
import { SelectField, TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";
import type { Theme } from "@/lib/ui/theme";

type Action = (state: ActionResult | null, form: FormData) => Promise<ActionResult>;

export function ChangePasswordForm({ action }: { action: Action }) {
  const [state, formAction] = useActionState(action, null);
  const fields = state && !state.ok ? state.fields : undefined;
  return (
    <form action={formAction} className="flex max-w-md flex-col gap-4" aria-label="Change password" noValidate>
      <TextField id="currentPassword" label="Current password" type="password" autoComplete="current-password" error={fields?.currentPassword} />
      <TextField id="newPassword" label="New password" type="password" autoComplete="new-password" hint="At least 12 characters." error={fields?.newPassword} />
      <TextField id="confirmPassword" label="New password again" type="password" autoComplete="new-password" error={fields?.confirmPassword} />
      <FormMessage result={state} />
      <div>
        <SubmitButton pendingLabel="Saving…">Change password</SubmitButton>
      </div>
    </form>
  );
}

export function ThemeForm({ action, current }: { action: Action; current: Theme }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3" aria-label="Theme">
      <div className="w-48">
        <SelectField key={current} id="theme" label="Theme" defaultValue={current}>
          <option value="system">Follow the system</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </SelectField>
      </div>
      <SubmitButton variant="secondary">Apply</SubmitButton>
      {state && !state.ok ? <FormMessage result={state} /> : null}
    </form>
  );
}
