import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const frameworkImports = {
  patterns: [
    { group: ["next", "next/*", "react", "react-dom", "next-auth", "next-auth/*", "@prisma/*", "@/lib/generated/*", "@/lib/db"], message: "Protocol code stays framework-free (see STYLE.md)." },
  ],
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
    files: ["lib/oauth1/**", "lib/crypto/**"],
    rules: { "no-restricted-imports": ["error", frameworkImports] },
  },
];
export default config;
