import * as oauth from "oauth4webapi";
import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { OAuth2Endpoints } from "@/lib/outgoing/oauth2-settings";

/**
 * The `error` a token endpoint answered, read from its JSON body or its challenge: never from the
 * HTTP status (Atlassian answers some refusals with 403, others with 401 or 400).
 */
export function tokenEndpointError(problem: unknown): { error: string; description?: string } | null {
  if (problem instanceof oauth.ResponseBodyError) return { error: problem.error, ...(problem.error_description ? { description: problem.error_description } : {}) };
  if (problem instanceof oauth.WWWAuthenticateChallengeError) {
    const parameters = problem.cause[0]?.parameters;
    return { error: parameters?.error ?? "invalid_client", ...(parameters?.error_description ? { description: parameters.error_description } : {}) };
  }
  return null;
}

/** Refusals after which only the person can help (authorize again): the grant or the client is no longer good. */
export const ENDS_THE_GRANT = new Set(["invalid_grant", "invalid_client", "unauthorized_client"]);

/** What the person (or the admin, for the client) is told when the token endpoint refuses `step`. */
export function tokenRefusal(link: Link, endpoints: OAuth2Endpoints, problem: unknown, step: string): AppError {
  const where = new URL(endpoints.tokenUrl).host;
  const refused = tokenEndpointError(problem);
  if (!refused) return new AppError("network_error", `The token endpoint ${where} answered ${step} with something other than a token (${(problem as Error).message}).`);
  const detail = `${refused.error}${refused.description ? ` (${refused.description})` : ""}`;
  const fix =
    refused.error === "invalid_client" || refused.error === "unauthorized_client"
      ? ` The client "${endpoints.clientId}" or its secret is not what ${link.name} has: an administrator checks them under Outgoing.`
      : refused.error === "invalid_grant"
        ? " The code or the grant is no longer good (used, expired or revoked): authorize again."
        : "";
  return new AppError("network_error", `${link.name}'s token endpoint ${where} refused ${step}: ${detail}.${fix}`, { extra: { problem: `oauth2_${refused.error}` } });
}
