import type { Metadata } from "next";
import { safeReturnPath } from "@/lib/http/page-path";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { Card } from "@/components/ui/card";
import { getServerCaller } from "@/lib/api/server-caller";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = typeof params.callbackUrl === "string" ? params.callbackUrl : undefined;
  if (await getServerCaller()) redirect(safeReturnPath(callbackUrl));
  // next-auth sends sign-in failures here as ?error=…; only our own messages are shown verbatim.
  const error = typeof params.error === "string" ? signInErrorMessage(params.error) : undefined;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <Card className="w-full max-w-sm">
        <h1 className="mb-1 text-xl font-semibold">Applink Admin</h1>
        <p className="mb-6 text-sm text-muted">Sign in to manage application links.</p>
        <SignInForm callbackUrl={callbackUrl} initialError={error} />
      </Card>
    </main>
  );
}

function signInErrorMessage(code: string): string {
  if (code.startsWith("Invalid username") || code.startsWith("Too many failed") || code.startsWith("This account is disabled")) return code;
  if (code === "SessionRequired") return "Sign in to continue.";
  return "Sign-in failed. Try again.";
}
