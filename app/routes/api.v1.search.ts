import { search } from "~/api/endpoints/search";
import { handle, on } from "~/api/endpoint.server";
import { enforceSearchRate, searchForum } from "~/models/community/search.server";
import { limitSubject } from "~/services/auth.server";

export const loader = handle(
  on(search, async ({ request, query, user }) => {
    await enforceSearchRate(limitSubject(request, user));
    return searchForum(query, user);
  }),
);
