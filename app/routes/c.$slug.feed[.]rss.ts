import type { LoaderFunctionArgs } from "@remix-run/node";
import { categoryFeed, feedResponse } from "~/models/feed.server";
import { forResource } from "~/utils/page-errors.server";
import { siteOrigin } from "~/utils/url.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  forResource(async () => feedResponse(request, await categoryFeed(siteOrigin(request), params.slug ?? ""), "rss"));
