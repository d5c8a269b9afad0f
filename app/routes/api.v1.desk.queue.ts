import { apiQueueItem, getDeskQueue } from "~/api/endpoints/desk";
import { handle, on } from "~/api/endpoint.server";
import { deskQueue } from "~/models/desk/desk.server";

export const loader = handle(
  on(getDeskQueue, async ({ user, query }) => {
    const queue = await deskQueue(user, query);
    return { ...queue, items: queue.items.map(apiQueueItem) };
  }),
);
