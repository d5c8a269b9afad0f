import { createReopenRequest } from "~/api/endpoints/availability";
import { handle, on } from "~/api/endpoint.server";
import { requestReopenMail } from "~/models/availability/reopen.server";

export const action = handle(on(createReopenRequest, async ({ user }) => requestReopenMail(user)));
