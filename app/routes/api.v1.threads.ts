import { createThread as createDef, listThreads as listDef } from "~/api/endpoints/threads";
import { handle, on } from "~/api/endpoint.server";
import { requirePermission } from "~/models/permissions";
import { createThread, listThreads } from "~/models/community/thread.server";

export const loader = handle(on(listDef, async ({ query }) => listThreads(query)));

export const action = handle(
  on(createDef, async ({ user, body }) => {
    requirePermission(user, "thread:create");
    return createThread(user, body);
  }),
);
