import type { LoaderFunctionArgs } from "@remix-run/node";
import { feedResponse, threadFeed } from "~/models/feed.server";
import { forResource } from "~/utils/page-errors.server";
import { siteOrigin } from "~/utils/url.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  forResource(async () => feedResponse(request, await threadFeed(siteOrigin(request), params.id ?? ""), "rss"));
