#!/usr/bin/env node
// One data model, two databases. prisma/schema.prisma is the only source (SQLite, the embedded
// default); Prisma wants one provider per schema file, so the PostgreSQL schema is derived from it
// here, word for word but for the datasource provider and the generated client's folder.
// `--check` fails when the committed copy differs (tests/database-schemas.test.ts runs it too).
import fs from "node:fs";
import { fileURLToPath } from "node:url";

const source = fileURLToPath(new URL("../prisma/schema.prisma", import.meta.url));
const target = fileURLToPath(new URL("../prisma/postgresql/schema.prisma", import.meta.url));

export function postgresqlSchema(text) {
  const replaced = text
    .replace(/^(\s*provider\s*=\s*)"sqlite"/m, '$1"postgresql"')
    .replace(/^(\s*output\s*=\s*)"\.\.\/lib\/generated\/prisma"/m, '$1"../../lib/generated/prisma-postgresql"');
  if (!replaced.includes('"postgresql"') || !replaced.includes("prisma-postgresql")) {
    throw new Error("prisma/schema.prisma no longer has the datasource provider or generator output this script rewrites");
  }
  return `// GENERATED from prisma/schema.prisma by scripts/prisma-schemas.mjs: edit that file, then run\n// \`node scripts/prisma-schemas.mjs\`. The PostgreSQL migrations live beside this file.\n\n${replaced}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wanted = postgresqlSchema(fs.readFileSync(source, "utf8"));
  const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
  if (process.argv.includes("--check")) {
    if (current !== wanted) {
      console.error("prisma/postgresql/schema.prisma is out of date: run `node scripts/prisma-schemas.mjs`");
      process.exit(1);
    }
  } else if (current !== wanted) {
    fs.writeFileSync(target, wanted);
    console.log("wrote prisma/postgresql/schema.prisma");
  }
}
