-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "publishDraftById" TEXT;
