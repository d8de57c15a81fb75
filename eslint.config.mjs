import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const frameworkImports = {
  patterns: [
    { group: ["next", "next/*", "react", "react-dom", "next-auth", "next-auth/*", "@prisma/*", "@/lib/generated/*", "@/lib/db"], message: "Protocol code stays framework-free (see STYLE.md)." },
  ],
};

/** The web layer (lib/api: route wrappers, request/response adapters) sits on top: nothing below imports it. */
const webLayerImports = {
  patterns: [{ group: ["@/lib/api/*", "@/app/*", "@/components/*"], message: "Domain code takes plain values; HTTP adapters live in lib/api (the web layer) and call down, never the reverse." }],
};

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: ["lib/generated/**", ".next/**", "node_modules/**", "data/**", "test-results/**", "playwright-report/**", ".tmp/**", "next-env.d.ts"] },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["lib/**"],
    ignores: ["lib/api/**", "lib/oauth1/**", "lib/crypto/**", "**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", webLayerImports] },
  },
  {
    files: ["lib/oauth1/**", "lib/crypto/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [...frameworkImports.patterns, ...webLayerImports.patterns] }] },
  },
];
export default config;
