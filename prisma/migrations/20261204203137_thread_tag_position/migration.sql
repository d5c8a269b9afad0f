-- AlterTable
ALTER TABLE "ThreadTag" ADD COLUMN     "position" INTEGER NOT NULL DEFAULT 0;
