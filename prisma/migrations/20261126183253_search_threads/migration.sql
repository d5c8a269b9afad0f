-- DropIndex
DROP INDEX "SearchDocument_generation_createdAt_idx";

-- DropIndex
DROP INDEX "SearchDocument_titleTsv_idx";

-- DropIndex
DROP INDEX "SearchDocument_tsv_idx";

-- AlterTable
ALTER TABLE "SearchDocument" DROP COLUMN "titleTsv";

-- CreateTable
CREATE TABLE "SearchThread" (
    "generation" INTEGER NOT NULL,
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "categorySlug" TEXT NOT NULL,
    "tags" TEXT[],
    "solved" BOOLEAN NOT NULL,
    "authors" TEXT[],
    "visibility" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "lastPostAt" TIMESTAMP(3) NOT NULL,
    "tsv" tsvector,
    "titleTsv" tsvector,

    CONSTRAINT "SearchThread_pkey" PRIMARY KEY ("generation","id")
);

-- CreateIndex
CREATE INDEX "SearchThread_tsv_idx" ON "SearchThread" USING GIN ("tsv");

-- CreateIndex
CREATE INDEX "SearchThread_titleTsv_idx" ON "SearchThread" USING GIN ("titleTsv");

-- CreateIndex
CREATE INDEX "SearchThread_generation_lastPostAt_idx" ON "SearchThread"("generation", "lastPostAt" DESC);
