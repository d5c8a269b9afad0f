import type { LoaderFunctionArgs } from "@remix-run/node";
import { feedResponse, threadFeed } from "~/models/community/feed.server";
import { forResource } from "~/utils/page-errors.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  forResource(async () => feedResponse(request, await threadFeed(params.id ?? ""), "atom"));
