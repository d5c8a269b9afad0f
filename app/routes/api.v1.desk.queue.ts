import { getDeskQueue } from "~/api/endpoints/desk";
import { handle, on } from "~/api/endpoint.server";
import { deskQueue } from "~/models/desk/desk.server";

export const loader = handle(on(getDeskQueue, async ({ user, query }) => deskQueue(user, query)));
