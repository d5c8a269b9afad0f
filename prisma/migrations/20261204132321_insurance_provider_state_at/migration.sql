-- AlterTable
ALTER TABLE "InsuranceSubscription" ADD COLUMN     "providerStateAt" TIMESTAMP(3);
