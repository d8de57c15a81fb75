import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import local from "./eslint-rules/acyclic-folders.mjs";

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
    // Server actions' wrapper (lib/actions) is web layer too: it reads the page's caller.
    files: ["lib/**"],
    ignores: ["lib/api/**", "lib/actions/**", "lib/oauth1/**", "lib/crypto/**", "lib/http/**", "**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", webLayerImports] },
  },
  {
    // Folders depend on each other one way (eslint-rules/acyclic-folders.mjs).
    files: ["lib/**"],
    plugins: { local },
    rules: { "local/acyclic-folders": "error" },
  },
  {
    // No key-provider call inside a database transaction (issue 27): a secret is sealed before one
    // (sealSecret) and written in it (putSecret); inside, only sealSecretNow (never waits) seals.
    files: ["lib/**", "app/**", "scripts/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        ...["CallExpression[callee.property.name='$transaction']", ":function[params.0.name='tx']", ":function[params.1.name='tx']"].map((inTransaction) => ({
          selector: `${inTransaction} CallExpression[callee.name=/^(sealSecret|storeSecret|readyToSeal)$/]`,
          message: "Seal before the transaction (sealSecret), write in it (putSecret): a slow or lost HSM must never hold the database.",
        })),
      ],
    },
  },
  {
    // Protocol code and the HTTP helpers under everything else: no framework.
    files: ["lib/oauth1/**", "lib/crypto/**", "lib/http/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [...frameworkImports.patterns, ...webLayerImports.patterns] }] },
  },
];
export default config;
