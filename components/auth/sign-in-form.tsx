"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { safeReturnPath } from "@/lib/http/page-path";


export function SignInForm({ callbackUrl, initialError }: { callbackUrl?: string; initialError?: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | undefined>(initialError);
  const [fieldErrors, setFieldErrors] = useState<{ username?: string; password?: string }>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const username = String(form.get("username") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const missing = { username: username ? undefined : "Enter your username.", password: password ? undefined : "Enter your password." };
    setFieldErrors(missing);
    if (missing.username || missing.password) return;
    setPending(true);
    setError(undefined);
    try {
      const result = await signIn("credentials", { username, password, redirect: false });
      if (!result || result.error) {
        setError(result?.error && result.error !== "CredentialsSignin" ? result.error : "Invalid username or password.");
        return;
      }
      router.replace(safeReturnPath(callbackUrl));
      router.refresh();
    } catch {
      setError("The server could not be reached. Try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-col gap-4" aria-label="Sign in">
      <FormMessage result={error ? { ok: false, message: error } : null} />
      <TextField id="username" label="Username" autoComplete="username" autoFocus required error={fieldErrors.username} />
      <TextField id="password" label="Password" type="password" autoComplete="current-password" required error={fieldErrors.password} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
