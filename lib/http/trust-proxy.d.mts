/** Whether this app sits behind a reverse proxy whose X-Forwarded-* headers it trusts (TRUST_PROXY). */
export function trustProxy(env?: Record<string, string | undefined>): boolean;
