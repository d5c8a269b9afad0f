import { buildOpenApi } from "~/api/openapi.server";
import { siteOrigin } from "~/utils/url.server";
import type { LoaderFunctionArgs } from "@remix-run/node";

export const loader = ({ request }: LoaderFunctionArgs) =>
  Response.json(buildOpenApi(siteOrigin()), { headers: { "Cache-Control": "public, max-age=300" } });
