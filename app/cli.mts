// npm run cli -- user:create --email E --username U --password P --role maintainer
// npm run cli -- user:role --email E --role admin
// npm run cli -- markdown:rerender   (stored HTML from Markdown again; the app also does it by itself, docs/decisions/027)
// npm run cli -- demo:purge [--confirm]   (before production: demo accounts locked, test-mode money ended; docs/decisions/038)
// npm run cli -- payments:reconcile [--fix]   (payments and refunds against the provider, docs/decisions/036)
import { parseArgs } from "node:util";
import { openDatabase } from "#prisma/database-url.ts";
import { deployMigrations } from "#prisma/migrations.server.mts";
import { ROLES } from "./models/permissions.ts";
import { AppError, isAppError } from "./utils/errors.ts";

const USAGE = `Usage:
  npm run cli -- user:create --email E --username U --password P [--role member|moderator|maintainer|admin]
  npm run cli -- user:role --email E --role R
  npm run cli -- markdown:rerender
  npm run cli -- demo:purge [--confirm]   (lists, or with --confirm does, what production refuses to start with)
  npm run cli -- payments:reconcile [--fix]`;

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: "string" },
      username: { type: "string" },
      password: { type: "string" },
      role: { type: "string" },
      confirm: { type: "boolean" },
      fix: { type: "boolean" },
    },
  });
  const role = (values.role ?? "member") as (typeof ROLES)[number];
  if (!ROLES.includes(role)) throw new AppError(400, "invalid_role", `--role must be one of: ${ROLES.join(", ")}`);
  if (!["user:create", "user:role", "markdown:rerender", "demo:purge", "payments:reconcile"].includes(command ?? "")) {
    console.error(USAGE);
    return 2;
  }

  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;
  process.env.DATABASE_POOL_SIZE = "1";
  await deployMigrations(database.target);
  const { createUser } = await import("~/models/accounts/user.server.ts");
  const { disconnectDb } = await import("./services/db.server.ts");
  try {
    if (command === "demo:purge") {
      const { purgeDemoAndTestMoney } = await import("~/models/payments/demo-purge.server.ts");
      const report = await purgeDemoAndTestMoney({ confirm: values.confirm === true });
      for (const line of report.lines) console.log(line);
    } else if (command === "payments:reconcile") {
      const { reconcilePayments } = await import("~/models/payments/reconcile.server.ts");
      const report = await reconcilePayments({ fix: values.fix ?? false });
      for (const line of report.differences) console.log(`DIFF  ${line}`);
      for (const line of report.fixed) console.log(`FIXED ${line}`);
      console.log(report.remaining ? `${report.remaining} difference(s) need a person.` : "Payments and refunds match the provider.");
      return report.remaining ? 1 : 0;
    } else if (command === "markdown:rerender") {
      const { rerenderAll } = await import("~/models/community/rerender.server.ts");
      await rerenderAll();
      console.log(
        "Every stored post, ticket message and ticket snapshot is rendered with the current renderer; changed threads are queued for search.",
      );
    } else if (command === "user:create") {
      const user = await createUser({ email: values.email ?? "", username: values.username ?? "", password: values.password ?? "" }, role);
      console.log(`Created ${user.role} ${user.username} (${values.email}), id ${user.id}`);
    } else {
      // Audited like a change on the admin page (docs/decisions/049).
      const { changeRoleFromCommandLine } = await import("~/models/accounts/people.server.ts");
      const changed = await changeRoleFromCommandLine(values.email ?? "", role);
      console.log(`${changed.username} is now ${changed.role}`);
    }
    return 0;
  } finally {
    await disconnectDb();
    await database.close();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((error) => {
    if (isAppError(error)) {
      console.error(`Error: ${error.message}`);
      for (const [field, message] of Object.entries(error.fields ?? {})) console.error(`  --${field}: ${message}`);
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  });
