import { similar } from "~/api/endpoints/search";
import { handle, on } from "~/api/endpoint.server";
import { enforceSearchRate, similarThreads } from "~/models/community/search.server";
import { limitSubject } from "~/services/auth.server";

// A similar-thread lookup runs a full-text query like a search, and shares its budget.
export const loader = handle(
  on(similar, async ({ request, query, user }) => {
    await enforceSearchRate(limitSubject(request, user));
    return similarThreads(query, user);
  }),
);
