import { listNotifications } from "~/api/endpoints/people";
import { handle, on } from "~/api/endpoint.server";
import { listInbox } from "~/models/notifications/inbox.server";

// One handler for every method, so anything but GET gets a JSON 405.
export const loader = handle(on(listNotifications, async ({ user, query }) => listInbox(user.id, query)));
export const action = loader;
