import { buildOpenApi } from "~/api/openapi.server";
import { siteOrigin } from "~/utils/url.server";

export const loader = () => Response.json(buildOpenApi(siteOrigin()), { headers: { "Cache-Control": "public, max-age=300" } });
