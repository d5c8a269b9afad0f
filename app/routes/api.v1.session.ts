import { createSession, deleteSession } from "~/api/endpoints/accounts";
import { handle, on } from "~/api/endpoint.server";
import { asFormRequest, login, logout } from "~/services/auth.server";

export const action = handle(
  on(createSession, async ({ request, body }) => {
    const { user, setCookie } = await login(asFormRequest(request, body));
    const { email: _email, suspendedUntil: _suspendedUntil, ...publicUser } = user;
    return Response.json(publicUser, { headers: { "Set-Cookie": setCookie } });
  }),
  on(deleteSession, async ({ request }) => {
    return new Response(null, { status: 204, headers: { "Set-Cookie": await logout(request) } });
  }),
);
