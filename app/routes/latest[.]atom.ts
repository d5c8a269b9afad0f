import type { LoaderFunctionArgs } from "@remix-run/node";
import { feedResponse, latestFeed } from "~/models/feed.server";
import { forResource } from "~/utils/page-errors.server";
import { siteOrigin } from "~/utils/url.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  forResource(async () => feedResponse(request, await latestFeed(siteOrigin(request)), "atom"));
