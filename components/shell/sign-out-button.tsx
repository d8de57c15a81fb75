"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";
import { Button } from "@/components/ui/button";

/** Sign out, after a confirmation in place (a stray click does not end the session). */
export function SignOutButton() {
  const [asking, setAsking] = useState(false);
  return (
    <span className="flex items-center gap-2">
      <Button variant="secondary" size="sm" aria-expanded={asking} aria-controls="sign-out-confirm" onClick={() => setAsking((a) => !a)}>
        Sign out
      </Button>
      {asking ? (
        <span id="sign-out-confirm" role="group" aria-label="Confirm sign out" className="flex items-center gap-2 text-sm">
          <Button size="sm" onClick={() => signOut({ callbackUrl: "/signin" })} autoFocus>
            Yes, sign out
          </Button>
          <Button variant="secondary" size="sm" onClick={() => setAsking(false)}>
            Stay
          </Button>
        </span>
      ) : null}
    </span>
  );
}
