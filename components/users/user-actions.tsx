"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SecretOnce } from "@/components/ui/secret-once";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

type Action<T = unknown> = (state: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>;

interface Props {
  user: { username: string; role: "ADMIN" | "USER"; disabled: boolean };
  isSelf: boolean;
  /** The last active administrator: neither disabled nor demoted (the server refuses it too). */
  lastAdmin?: boolean;
  setDisabled: Action;
  setRole: Action;
  resetPassword: Action<{ password: string }>;
}

/** Per-user administration: enable/disable, role, password reset; each answers inline. */
export function UserActions({ user, isSelf, lastAdmin = false, setDisabled, setRole, resetPassword }: Props) {
  const [disableState, disableAction] = useActionState(setDisabled, null);
  const [roleState, roleAction] = useActionState(setRole, null);
  const [resetState, resetAction] = useActionState(resetPassword, null);
  const failure = [disableState, roleState, resetState].find((s) => s && !s.ok) ?? null;
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap gap-2">
        {lastAdmin ? (
          <span className="text-xs text-muted">The last active administrator: make another admin first to disable or demote.</span>
        ) : (
          <>
            <form action={disableAction}>
              <input type="hidden" name="username" value={user.username} />
              <input type="hidden" name="disabled" value={user.disabled ? "false" : "true"} />
              <SubmitButton size="sm" variant={user.disabled ? "secondary" : "danger"} aria-label={`${user.disabled ? "Enable" : "Disable"} ${user.username}`}>
                {user.disabled ? "Enable" : "Disable"}
              </SubmitButton>
            </form>
            <form action={roleAction}>
              <input type="hidden" name="username" value={user.username} />
              <input type="hidden" name="role" value={user.role === "ADMIN" ? "USER" : "ADMIN"} />
              <SubmitButton size="sm" variant="secondary" aria-label={`${user.role === "ADMIN" ? "Make user" : "Make admin"}: ${user.username}`}>
                {user.role === "ADMIN" ? "Make user" : "Make admin"}
              </SubmitButton>
            </form>
          </>
        )}
        {!isSelf ? (
          <form action={resetAction}>
            <input type="hidden" name="username" value={user.username} />
            <SubmitButton size="sm" variant="secondary" aria-label={`Reset password of ${user.username}`}>
              Reset password
            </SubmitButton>
          </form>
        ) : null}
      </div>
      <FormMessage result={failure} />
      {resetState?.ok && resetState.data?.password ? <SecretOnce label={resetState.message ?? "New password"} value={resetState.data.password} /> : null}
    </div>
  );
}
