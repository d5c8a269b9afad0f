-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "publishDeclinedAt" TIMESTAMP(3);
