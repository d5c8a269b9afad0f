-- AlterEnum
ALTER TYPE "TicketState" ADD VALUE 'withdrawn';

-- AlterTable
ALTER TABLE "InsuranceSubscription" ADD COLUMN     "cancelAtPeriodEnd" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "soldCoverageCents" INTEGER,
ADD COLUMN     "soldPriceCents" INTEGER;

-- Plans bought before this migration renew on their plan's current terms.
UPDATE "InsuranceSubscription" s SET "soldPriceCents" = p."priceCents", "soldCoverageCents" = p."coverageCents"
  FROM "InsurancePlan" p WHERE p."id" = s."planId";

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "captureBefore" TIMESTAMP(3),
ADD COLUMN     "disputeId" TEXT,
ADD COLUMN     "disputeStatus" TEXT,
ADD COLUMN     "disputedCents" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "refundedCents" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "soldCurrency" TEXT,
ADD COLUMN     "soldPriceCents" INTEGER,
ADD COLUMN     "soldResponseHours" INTEGER,
ADD COLUMN     "soldTierName" TEXT,
ADD COLUMN     "withdrawReason" TEXT,
ADD COLUMN     "withdrawnAt" TIMESTAMP(3);

-- Backfill: tickets sold before this migration keep the tier's current promise (nothing else was recorded)
-- and the price quoted at checkout (docs/decisions/034).
UPDATE "Ticket" t SET "soldTierName" = tr."name", "soldResponseHours" = tr."responseHours",
  "soldPriceCents" = e."amountCents", "soldCurrency" = e."currency"
  FROM "Tier" tr, "Escalation" e WHERE tr."id" = t."tierId" AND e."id" = t."escalationId";

ALTER TABLE "Ticket" ALTER COLUMN "soldCurrency" SET NOT NULL,
ALTER COLUMN "soldPriceCents" SET NOT NULL,
ALTER COLUMN "soldResponseHours" SET NOT NULL,
ALTER COLUMN "soldTierName" SET NOT NULL;

-- CreateTable
CREATE TABLE "Refund" (
    "id" TEXT NOT NULL,
    "paymentId" TEXT NOT NULL,
    "providerRefundId" TEXT,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "reason" TEXT,
    "status" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'backline',
    "actorId" TEXT,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Refund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MoneyEvent" (
    "id" TEXT NOT NULL,
    "ticketId" TEXT,
    "escalationId" TEXT,
    "subscriptionId" TEXT,
    "paymentId" TEXT,
    "kind" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "actorId" TEXT,
    "reason" TEXT,
    "reference" TEXT,
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MoneyEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Refund_providerRefundId_key" ON "Refund"("providerRefundId");

-- CreateIndex
CREATE INDEX "Refund_paymentId_idx" ON "Refund"("paymentId");

-- CreateIndex
CREATE UNIQUE INDEX "MoneyEvent_reference_key" ON "MoneyEvent"("reference");

-- CreateIndex
CREATE INDEX "MoneyEvent_ticketId_createdAt_idx" ON "MoneyEvent"("ticketId", "createdAt");

-- CreateIndex
CREATE INDEX "MoneyEvent_escalationId_idx" ON "MoneyEvent"("escalationId");

-- CreateIndex
CREATE INDEX "MoneyEvent_subscriptionId_idx" ON "MoneyEvent"("subscriptionId");

-- CreateIndex
CREATE UNIQUE INDEX "Payment_disputeId_key" ON "Payment"("disputeId");

-- AddForeignKey
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "Payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MoneyEvent" ADD CONSTRAINT "MoneyEvent_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
