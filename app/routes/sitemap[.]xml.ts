import type { LoaderFunctionArgs } from "@remix-run/node";
import { sitemap, xmlResponse } from "~/models/community/feed.server";
import { forResource } from "~/utils/page-errors.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  forResource(async () => {
    const query = Object.fromEntries(new URL(request.url).searchParams);
    return xmlResponse(request, await sitemap(query), "application/xml; charset=utf-8", 3600);
  });
