-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateTable
CREATE TABLE "SearchDocument" (
    "generation" INTEGER NOT NULL,
    "id" TEXT NOT NULL,
    "threadId" TEXT NOT NULL,
    "postNumber" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "categorySlug" TEXT NOT NULL,
    "categoryName" TEXT NOT NULL,
    "tags" TEXT[],
    "solved" BOOLEAN NOT NULL,
    "isAccepted" BOOLEAN NOT NULL,
    "authorUsername" TEXT NOT NULL,
    "visibility" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "tsv" tsvector,

    CONSTRAINT "SearchDocument_pkey" PRIMARY KEY ("generation","id")
);

-- CreateTable
CREATE TABLE "SearchTerm" (
    "word" TEXT NOT NULL,

    CONSTRAINT "SearchTerm_pkey" PRIMARY KEY ("word")
);

-- CreateTable
CREATE TABLE "SearchIndexState" (
    "name" TEXT NOT NULL,
    "live" INTEGER NOT NULL DEFAULT 1,
    "building" INTEGER,
    "rebuiltAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SearchIndexState_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "SearchDocument_tsv_idx" ON "SearchDocument" USING GIN ("tsv");

-- CreateIndex
CREATE INDEX "SearchDocument_generation_threadId_idx" ON "SearchDocument"("generation", "threadId");

-- CreateIndex
CREATE INDEX "SearchDocument_generation_createdAt_idx" ON "SearchDocument"("generation", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "SearchTerm_word_idx" ON "SearchTerm" USING GIN ("word" gin_trgm_ops);
