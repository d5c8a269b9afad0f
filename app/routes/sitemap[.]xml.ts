import type { LoaderFunctionArgs } from "@remix-run/node";
import { sitemap } from "~/models/feed.server";
import { forResource } from "~/utils/page-errors.server";
import { siteOrigin } from "~/utils/url.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  forResource(async () => {
    const query = Object.fromEntries(new URL(request.url).searchParams);
    return new Response(await sitemap(siteOrigin(request), query), {
      headers: { "Content-Type": "application/xml; charset=utf-8", "Cache-Control": "public, max-age=3600" },
    });
  });
