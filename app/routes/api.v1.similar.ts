import { similar } from "~/api/endpoints/search";
import { handle, on } from "~/api/endpoint.server";
import { similarThreads } from "~/models/search.server";

export const loader = handle(on(similar, ({ query, user }) => similarThreads(query, user)));
