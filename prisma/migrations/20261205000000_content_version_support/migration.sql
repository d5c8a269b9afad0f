-- Whether paid support takes tickets shows on public pages (the support page, the thread stub, "Escalated" in
-- lists) and on every member's thread page, which reuses it while the content version stands
-- (docs/decisions/042, 045). Ticket and availability writes move the version too, and they are rare next to posts.
CREATE CONSTRAINT TRIGGER "Ticket_content_version" AFTER INSERT OR UPDATE OR DELETE ON "Ticket"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "backline_bump_content_version"();

CREATE CONSTRAINT TRIGGER "SupportAvailability_content_version" AFTER INSERT OR UPDATE OR DELETE ON "SupportAvailability"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "backline_bump_content_version"();

CREATE CONSTRAINT TRIGGER "SupportAbsence_content_version" AFTER INSERT OR UPDATE OR DELETE ON "SupportAbsence"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "backline_bump_content_version"();
