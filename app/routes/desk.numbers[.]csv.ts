import type { LoaderFunctionArgs } from "@remix-run/node";
import { metricsCsv } from "~/models/desk/metrics";
import { deskNumbers } from "~/models/desk/numbers.server";
import { getUser } from "~/services/auth.server";
import { forResource } from "~/utils/page-errors.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  return forResource(async () => {
    const csv = metricsCsv(await deskNumbers(user));
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="desk-numbers-${new Date().toISOString().slice(0, 10)}.csv"`,
        "Cache-Control": "private, no-store",
      },
    });
  });
}
