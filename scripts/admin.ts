/** `npm run admin -- <command>`: user and token administration without a browser (see --help). */
import { closeDatabase, db } from "@/lib/db";
import { runAdminCli } from "@/lib/cli/admin-cli";

runAdminCli(db, process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) })
  .then((code) => {
    process.exitCode = code;
  })
  .finally(() => closeDatabase());
