-- CreateTable
CREATE TABLE "SupportTierLimit" (
    "tierId" TEXT NOT NULL,
    "maxOpenTickets" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SupportTierLimit_pkey" PRIMARY KEY ("tierId")
);

-- AddForeignKey
ALTER TABLE "SupportTierLimit" ADD CONSTRAINT "SupportTierLimit_tierId_fkey" FOREIGN KEY ("tierId") REFERENCES "Tier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Intake shows on every member's thread page, reused while the content version stands (migration
-- content_version_support): a changed tier limit moves the version as the total limit does.
CREATE CONSTRAINT TRIGGER "SupportTierLimit_content_version" AFTER INSERT OR UPDATE OR DELETE ON "SupportTierLimit"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "backline_bump_content_version"();
