import crypto from "node:crypto";
import { ZodError } from "zod";
import { AppError, STATUS, type ErrorCode, type OAuthProblem } from "@/lib/errors";
import { OAuthProblemError } from "@/lib/oauth1/problems";
import { KeyFormatError } from "@/lib/crypto/rsa-keys";
import { Pkcs12Error } from "@/lib/crypto/pkcs12";
import { VaultError } from "@/lib/crypto/envelope";
import { ConnectJwtError } from "@/lib/connect-jwt/verify";
import { RemoteFetchError } from "@/lib/outgoing/remote-fetch";
import { SignInError } from "@/lib/auth/sign-in";
import { fieldErrors } from "@/lib/validation/fields";
import { isUnstorableText } from "@/lib/db/dialect";
import { log } from "@/lib/log";

/** An error as every caller-facing layer says it: the API's JSON, a form's message, the CLI's line. */
export interface DescribedError {
  status: number;
  code: ErrorCode | OAuthProblem | "internal_error";
  message: string;
  /** Per-field messages (validation). */
  fields?: Record<string, string>;
  /** Extra top-level members of the API's answer (an AppError's `extra`). */
  extra?: Record<string, unknown>;
  /** The answer's `WWW-Authenticate` challenge (an AppError's `challenge`). */
  challenge?: string;
}

function prismaCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && /^P\d{4}$/.test(code) ? code : undefined;
}

const described = (code: ErrorCode, message: string, more: Pick<DescribedError, "fields" | "extra"> = {}): DescribedError => ({ status: STATUS[code], code, message, ...more });

/**
 * The error classes of the layers below the app (protocol engines, crypto, remote fetching), each
 * said with the code of the one status table that fits it; their messages are written for people.
 */
function describeKnownClass(error: unknown): DescribedError | undefined {
  if (error instanceof OAuthProblemError) return { status: error.status, code: error.problem, message: error.details.advice ?? error.problem };
  if (error instanceof KeyFormatError || error instanceof Pkcs12Error) return described("validation_failed", error.message);
  if (error instanceof RemoteFetchError) return described(error.problem === "timeout" ? "gateway_timeout" : "network_error", error.message, { extra: { problem: error.problem } });
  if (error instanceof ConnectJwtError) return described("unauthenticated", error.advice, { extra: { problem: error.problem } });
  if (error instanceof SignInError) return described(error.code === "throttled" ? "too_many_requests" : "unauthenticated", error.message);
  if (error instanceof VaultError) {
    // The master key or a sealed secret that cannot be opened: its message says what to do, and the
    // log keeps it for the administrator whoever met it.
    log.error({ problem: error.problem }, `a sealed value could not be opened: ${error.message}`);
    return described("unavailable", error.message);
  }
  return undefined;
}

/**
 * The one mapping from a thrown error to what its caller is told (lib/api/handle-error.ts for the
 * API, lib/actions/define-action.ts for forms, lib/cli/admin-cli.ts for the CLI): invalid input,
 * the app's own errors, the error classes of the layers below (describeKnownClass), a record that is gone or would be duplicated (Prisma's P2025 and P2002),
 * text a database cannot store; anything else is a bug, logged under an id the answer names,
 * never a stack trace. `where` names the layer in that log line (the CLI prints the error itself:
 * `logUnexpected: false`).
 */
export function describeError(error: unknown, where: string, options: { logUnexpected?: boolean } = {}): DescribedError {
  if (error instanceof ZodError) return described("validation_failed", "Some fields are not valid.", { fields: fieldErrors(error) });
  if (error instanceof AppError) return { status: error.status, code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}), ...(error.extra ? { extra: error.extra } : {}), ...(error.challenge ? { challenge: error.challenge } : {}) };
  const known = describeKnownClass(error);
  if (known) return known;
  const prisma = prismaCode(error);
  if (prisma === "P2025") return described("not_found", "Not found: it may have just been deleted.");
  if (prisma === "P2002") return described("conflict", "That would duplicate an existing record.");
  if (isUnstorableText(error)) return described("bad_request", "Text must not contain NUL characters.");
  const id = crypto.randomUUID();
  if (options.logUnexpected !== false) log.error({ err: error, errorId: id }, `unhandled ${where} error`);
  return { status: 500, code: "internal_error", message: `Something went wrong on our side (error id ${id}).` };
}
