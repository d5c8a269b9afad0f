import { similar } from "~/api/endpoints/search";
import { handle, on } from "~/api/endpoint.server";
import { enforceSearchRate, similarThreads } from "~/models/search.server";
import { clientIp } from "~/services/auth.server";

// A similar-thread lookup runs a full-text query like a search, and shares its per-address budget.
export const loader = handle(
  on(similar, async ({ request, query, user }) => {
    await enforceSearchRate(clientIp(request));
    return similarThreads(query, user);
  }),
);
