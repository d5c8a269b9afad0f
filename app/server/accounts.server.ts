import { revokeAllAccess } from "~/models/accounts/account-access.server";
import { userForToken } from "~/models/accounts/api-token.server";
import { createAuthSession, revokeSession, userForSession } from "~/models/accounts/auth-session.server";
import { countSignUp, signIn } from "~/models/accounts/sign-in.server";
import { suspensionRefusal } from "~/models/accounts/suspension";
import type { Accounts } from "~/services/auth.server";

/** The account rules sign-in runs on (app/services/auth.server.ts), connected by app/entry.server.tsx. */
export const accounts: Accounts = {
  signIn,
  userForSession,
  userForToken,
  startSession: createAuthSession,
  endSession: revokeSession,
  endAllAccess: revokeAllAccess,
  signUpFrom: countSignUp,
  refusal: suspensionRefusal,
};
