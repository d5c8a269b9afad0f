-- AlterTable
ALTER TABLE "Thread" ADD COLUMN     "chosenAnswerId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Thread_chosenAnswerId_key" ON "Thread"("chosenAnswerId");

-- AddForeignKey
ALTER TABLE "Thread" ADD CONSTRAINT "Thread_chosenAnswerId_fkey" FOREIGN KEY ("chosenAnswerId") REFERENCES "Post"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Backfill: today's accepted answers are the askers' choices.
UPDATE "Thread" SET "chosenAnswerId" = "acceptedPostId" WHERE "acceptedPostId" IS NOT NULL;

-- Reputation is derived from votes and acceptances on visible content (docs/decisions/028);
-- figures that drifted before (hidden answers that kept their +15, farmed acceptances) are recomputed.
UPDATE "User" u SET "reputation" =
  10 * (SELECT count(*) FROM "Vote" v JOIN "Post" p ON p."id" = v."postId" JOIN "Thread" t ON t."id" = p."threadId"
        WHERE p."authorId" = u."id" AND NOT p."hidden" AND p."deletedAt" IS NULL AND NOT t."hidden" AND t."deletedAt" IS NULL)
  + 15 * (SELECT count(*) FROM "Thread" t JOIN "Post" p ON p."id" = t."acceptedPostId"
        WHERE p."authorId" = u."id" AND t."authorId" <> u."id" AND NOT p."hidden" AND p."deletedAt" IS NULL
          AND NOT t."hidden" AND t."deletedAt" IS NULL);
