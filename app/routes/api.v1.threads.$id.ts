import { getThread as getDef } from "~/api/endpoints/threads";
import { deleteThread as deleteDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { mayDeleteThread } from "~/api/guards.server";
import { presentThread } from "~/api/present.server";
import { getThread } from "~/models/community/thread.server";
import { deleteThread } from "~/models/moderation/thread-moderation.server";

export const loader = handle(on(getDef, async ({ params, query, user }) => presentThread(await getThread(params.id!, user, query.page))));
export const action = handle(on(deleteDef, async ({ params, user, body }) => deleteThread(user, params.id!, body), mayDeleteThread));
