/** What an admin should do about an `oauth_problem` a remote answered: one line each. */
export function problemAdvice(problem: string): string {
  switch (problem) {
    case "consumer_key_unknown":
      return "The remote does not know this app's consumer key (stale after a reinstall or reset): on the remote, set up incoming OAuth for this app again, or reset it there.";
    case "signature_invalid":
      return "The remote could not verify our signature: check it has this app's current public key (Settings), and that the URL it sees is the one we sign (a proxy in between: set its base URL).";
    case "signature_method_rejected":
      return "The remote does not accept RSA-SHA1 from this consumer: check its incoming OAuth settings.";
    case "timestamp_refused":
      return "The two servers' clocks differ too much: check NTP on both.";
    case "nonce_used":
      return "The remote saw the same nonce twice: a replayed request, or a proxy that retried it.";
    case "token_rejected":
    case "token_expired":
      return "A person's access token was refused: they must authorize again (it was dropped here).";
    case "permission_denied":
    case "user_refused":
      return "The remote refused this kind of request or this user: check the direction's settings on the remote (2LO, impersonation, execute-as user).";
    default:
      return `The remote reported ${problem}.`;
  }
}
