import type { Prisma, PrismaClient } from "~/generated/prisma/client";
import type { Role } from "~/generated/prisma/enums";

// Types every domain folder shares; type-only, so client code may import them too.

export type { Role };

/** Whoever acts: a signed-in user as the models need them for permission checks. */
export type Actor = { id: string; role: Role };

/** An actor whose words are published: rate limits and rendering depend on trust. */
export type Author = Actor & { username: string; trustLevel: number };

/** The transaction a model function runs inside. */
export type Tx = Prisma.TransactionClient;

/** The client itself or a transaction: for helpers called both inside and outside one. */
export type DbOrTx = Tx | PrismaClient;
