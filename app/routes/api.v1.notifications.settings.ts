import { getNotificationSettings as getDef, updateNotificationSettings as updateDef } from "~/api/endpoints/people";
import { handle, on } from "~/api/endpoint.server";
import { getNotificationSettings, updateNotificationSettings } from "~/models/notifications/inbox.server";

const route = handle(
  on(getDef, async ({ user }) => getNotificationSettings(user)),
  on(updateDef, async ({ user, body }) => updateNotificationSettings(user, body)),
);
export const loader = route;
export const action = route;
