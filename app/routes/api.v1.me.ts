import { me } from "~/api/endpoints/accounts";
import { handle, on } from "~/api/endpoint.server";
import { permissionsOf } from "~/models/permissions";

export const loader = handle(on(me, async ({ user }) => ({ ...user, permissions: permissionsOf(user.role) })));
