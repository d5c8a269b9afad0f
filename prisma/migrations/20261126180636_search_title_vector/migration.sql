-- AlterTable
ALTER TABLE "SearchDocument" ADD COLUMN     "titleTsv" tsvector;

-- CreateIndex
CREATE INDEX "SearchDocument_titleTsv_idx" ON "SearchDocument" USING GIN ("titleTsv");
