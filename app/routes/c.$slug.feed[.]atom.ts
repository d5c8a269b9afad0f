import type { LoaderFunctionArgs } from "@remix-run/node";
import { categoryFeed, feedResponse } from "~/models/community/feed.server";
import { forResource } from "~/utils/page-errors.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  forResource(async () => feedResponse(request, await categoryFeed(params.slug ?? ""), "atom"));
