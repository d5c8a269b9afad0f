import { createUser as createUserEndpoint } from "~/api/endpoints/accounts";
import { handle, on } from "~/api/endpoint.server";
import { enforce } from "~/models/rate-limit.server";
import { createUser } from "~/models/user.server";
import { clientIp } from "~/services/auth.server";

export const action = handle(
  on(createUserEndpoint, async ({ request, body }) => {
    await enforce({ key: `signup:${clientIp(request)}`, max: 10, windowSeconds: 3600, what: "sign-ups from this address" });
    return Response.json(await createUser(body), { status: 201 });
  }),
);
