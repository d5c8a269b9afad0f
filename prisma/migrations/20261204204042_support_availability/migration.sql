-- CreateTable
CREATE TABLE "SupportAvailability" (
    "id" TEXT NOT NULL DEFAULT 'support',
    "maxOpenTickets" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SupportAvailability_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SupportAbsence" (
    "id" TEXT NOT NULL,
    "from" TIMESTAMP(3) NOT NULL,
    "to" TIMESTAMP(3) NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SupportAbsence_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReopenRequest" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "notifiedAt" TIMESTAMP(3),

    CONSTRAINT "ReopenRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IntakePause" (
    "id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "IntakePause_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SupportAbsence_to_idx" ON "SupportAbsence"("to");

-- CreateIndex
CREATE INDEX "ReopenRequest_notifiedAt_idx" ON "ReopenRequest"("notifiedAt");

-- CreateIndex
CREATE INDEX "ReopenRequest_userId_idx" ON "ReopenRequest"("userId");

-- CreateIndex
CREATE INDEX "IntakePause_startedAt_idx" ON "IntakePause"("startedAt");

-- AddForeignKey
ALTER TABLE "ReopenRequest" ADD CONSTRAINT "ReopenRequest_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
