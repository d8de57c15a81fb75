"use client";

import { useEffect } from "react";
import type { FlashMessage } from "@/lib/http/flash";

const TONE = {
  success: { role: "status", className: "bg-success/10 text-success" },
  warning: { role: "status", className: "bg-warning/10 text-warning" },
  error: { role: "alert", className: "bg-danger/10 text-danger" },
} as const;

/**
 * The messages the server left for this page after a redirect (lib/http/flash.ts), shown once:
 * the cookie that carried them is cleared as soon as they are on screen, so a reload does not
 * show them again.
 */
export function FlashMessages({ messages, cookieName }: { messages: FlashMessage[]; cookieName: string }) {
  useEffect(() => {
    if (messages.length) document.cookie = `${cookieName}=; Path=/; Max-Age=0; SameSite=Lax`;
  }, [messages, cookieName]);
  return (
    <>
      {messages.map((m, i) => (
        <p key={i} role={TONE[m.tone].role} className={`mb-6 whitespace-pre-line rounded-md px-3 py-2 text-sm ${TONE[m.tone].className}`}>
          {m.text}
        </p>
      ))}
    </>
  );
}
