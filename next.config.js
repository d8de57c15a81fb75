// @ts-check
// eslint-disable-next-line @typescript-eslint/no-require-imports -- next.config.js is CommonJS
const securityHeaders = require("./lib/http/security-headers.json");

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and worker-thread modules stay outside the server bundle.
  serverExternalPackages: ["better-sqlite3", "pkcs11js", "@prisma/adapter-better-sqlite3", "pino", "pino-pretty", "prom-client", "undici"],
  // Security headers that do not depend on the request (shared with the answers served without
  // Next.js, see lib/api/direct-routes.ts). The per-request CSP (with its nonce) and HSTS are set in proxy.ts.
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders.static }];
  },
};

module.exports = nextConfig;
