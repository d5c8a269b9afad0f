-- AlterTable
ALTER TABLE "InsuranceSubscription" ADD COLUMN     "checkoutSessionId" TEXT,
ADD COLUMN     "provider" TEXT NOT NULL DEFAULT 'stripe';

-- CreateTable
CREATE TABLE "InsuranceDraw" (
    "id" TEXT NOT NULL,
    "escalationId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "InsuranceDraw_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "InsuranceDraw_escalationId_key" ON "InsuranceDraw"("escalationId");

-- CreateIndex
CREATE INDEX "InsuranceDraw_subscriptionId_idx" ON "InsuranceDraw"("subscriptionId");

-- CreateIndex
CREATE UNIQUE INDEX "InsuranceSubscription_checkoutSessionId_key" ON "InsuranceSubscription"("checkoutSessionId");

-- AddForeignKey
ALTER TABLE "InsuranceDraw" ADD CONSTRAINT "InsuranceDraw_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "InsuranceSubscription"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
