import { flagPost as flagDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { flagPost } from "~/models/moderation/flag.server";

export const action = handle(on(flagDef, async ({ params, user, body }) => flagPost(user, params.id!, body)));
