-- AlterTable
ALTER TABLE "Vote" ADD COLUMN     "countsTowardReputation" BOOLEAN NOT NULL DEFAULT false;

-- Backfill: votes already cast count when the voter is staff or past trust level 0 today (the trust at
-- the time of the vote was not recorded), never on the voter's own post (docs/decisions/028).
UPDATE "Vote" v SET "countsTowardReputation" = true
  FROM "User" u, "Post" p
  WHERE u."id" = v."userId" AND p."id" = v."postId" AND p."authorId" <> v."userId"
    AND (u."role" <> 'member' OR u."trustLevel" >= 1);

-- Reputation is recomputed with the rule of computeReputation (app/models/reputation.server.ts).
UPDATE "User" u SET "reputation" =
  10 * (SELECT count(*) FROM "Vote" v JOIN "Post" p ON p."id" = v."postId" JOIN "Thread" t ON t."id" = p."threadId"
        WHERE p."authorId" = u."id" AND v."countsTowardReputation" AND v."userId" <> u."id"
          AND NOT p."hidden" AND p."deletedAt" IS NULL AND NOT t."hidden" AND t."deletedAt" IS NULL)
  + 15 * (SELECT count(*) FROM "Thread" t JOIN "Post" p ON p."id" = t."acceptedPostId"
        WHERE p."authorId" = u."id" AND t."authorId" <> u."id" AND NOT p."hidden" AND p."deletedAt" IS NULL
          AND NOT t."hidden" AND t."deletedAt" IS NULL);
