import type { LoaderFunctionArgs } from "@remix-run/node";
import { feedResponse, latestFeed } from "~/models/community/feed.server";
import { forResource } from "~/utils/page-errors.server";

export const loader = ({ request }: LoaderFunctionArgs) => forResource(async () => feedResponse(request, await latestFeed(), "atom"));
