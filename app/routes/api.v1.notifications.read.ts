import { markNotificationsRead as endpointDef } from "~/api/endpoints/people";
import { handle, on } from "~/api/endpoint.server";
import { markNotificationsRead } from "~/models/notifications/inbox.server";

export const action = handle(on(endpointDef, async ({ user, body }) => markNotificationsRead(user.id, body)));
export const loader = action;
