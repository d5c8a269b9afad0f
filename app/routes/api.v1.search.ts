import { search } from "~/api/endpoints/search";
import { handle, on } from "~/api/endpoint.server";
import { searchForum } from "~/models/search.server";

export const loader = handle(on(search, ({ query, user }) => searchForum(query, user)));
