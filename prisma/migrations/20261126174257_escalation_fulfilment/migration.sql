-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "lockedUntil" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "TestPaymentIntent" (
    "id" TEXT NOT NULL,
    "escalationId" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TestPaymentIntent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TestPaymentIntent_escalationId_idx" ON "TestPaymentIntent"("escalationId");

-- CreateIndex
CREATE INDEX "Ticket_threadId_idx" ON "Ticket"("threadId");
