import { z } from "zod";
import { createTokenSchema } from "~/models/accounts/api-token.server";
import { requestResetSchema } from "~/models/accounts/password-reset.server";
import { createUserSchema, roleSchema } from "~/models/accounts/user.server";
import { loginSchema } from "~/services/auth.server";
import { tagged } from "../endpoint.server";

const accounts = tagged("accounts");

export const userSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    role: roleSchema,
    reputation: z.number().int(),
    trustLevel: z.number().int(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "User" });

export const createUser = accounts("POST /api/v1/users", {
  auth: "none",
  status: 201,
  summary: "Create a member account",
  body: createUserSchema,
  response: userSchema,
  errors: [409, 429],
});

export const createSession = accounts("POST /api/v1/session", {
  auth: "none",
  summary: "Sign in; answers with the user and sets the session cookie",
  body: loginSchema,
  response: userSchema,
  errors: [401, 429],
});

export const deleteSession = accounts("DELETE /api/v1/session", {
  auth: "optional",
  status: 204,
  summary: "Sign out this session",
});

export const signOutEverywhere = accounts("DELETE /api/v1/sessions", {
  status: 204,
  summary: "Sign out everywhere: ends every session, API token (this one too) and unused reset link of the account",
});

export const me = accounts("GET /api/v1/me", {
  summary: "The signed-in user",
  response: userSchema.extend({
    email: z.string(),
    suspendedUntil: z.iso.datetime().nullable().describe("Set while an admin has suspended the account (ADR 049)"),
    permissions: z.array(z.string()),
  }),
});

export const createToken = accounts("POST /api/v1/tokens", {
  auth: "session",
  status: 201,
  summary: "Create an API token for 'Authorization: Bearer'; the secret is shown once. Needs the browser session: a bearer token gets 403",
  body: createTokenSchema,
  response: z.object({ id: z.string(), name: z.string(), prefix: z.string(), token: z.string(), createdAt: z.iso.datetime() }),
  // Tokens are stored only as hashes; a stored replay would keep the secret in the database for a day.
  idempotent: false,
});

export const requestPasswordReset = accounts("POST /api/v1/password-resets", {
  auth: "none",
  status: 202,
  summary: "E-mail a password reset link (same answer whether or not the account exists)",
  body: requestResetSchema,
  response: z.object({ ok: z.literal(true) }),
  errors: [429],
});
