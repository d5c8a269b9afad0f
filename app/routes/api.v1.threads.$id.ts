import { getThread as getDef } from "~/api/endpoints/threads";
import { handle, on } from "~/api/endpoint.server";
import { presentThread } from "~/api/present.server";
import { getThread } from "~/models/thread.server";

export const loader = handle(on(getDef, async ({ params, query, user }) => presentThread(await getThread(params.id!, user, query.page))));
