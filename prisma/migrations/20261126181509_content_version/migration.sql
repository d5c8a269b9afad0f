-- Page cache version (docs/decisions/017-caching-anonymous-pages.md). Every change to
-- what public pages show moves this sequence. App servers poll it and drop cached
-- anonymous pages rendered before. The triggers are deferred to commit time so a
-- server does not see the new version before the change itself is visible.
CREATE SEQUENCE "backline_content_version";

-- Written without a literal semicolon in the body (\073 is one): the pg driver adapter
-- splits migration scripts on every semicolon, dollar quotes included.
CREATE FUNCTION "backline_bump_content_version"() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN PERFORM nextval(''"backline_content_version"'')\073 RETURN NULL\073 END';

CREATE CONSTRAINT TRIGGER "Thread_content_version" AFTER INSERT OR UPDATE OR DELETE ON "Thread"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "backline_bump_content_version"();

CREATE CONSTRAINT TRIGGER "Post_content_version" AFTER INSERT OR UPDATE OR DELETE ON "Post"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "backline_bump_content_version"();

CREATE CONSTRAINT TRIGGER "Category_content_version" AFTER INSERT OR UPDATE OR DELETE ON "Category"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "backline_bump_content_version"();

CREATE CONSTRAINT TRIGGER "Tag_content_version" AFTER INSERT OR UPDATE OR DELETE ON "Tag"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "backline_bump_content_version"();

CREATE CONSTRAINT TRIGGER "ThreadTag_content_version" AFTER INSERT OR UPDATE OR DELETE ON "ThreadTag"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "backline_bump_content_version"();

CREATE CONSTRAINT TRIGGER "User_content_version" AFTER INSERT OR UPDATE OR DELETE ON "User"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "backline_bump_content_version"();

CREATE CONSTRAINT TRIGGER "Tier_content_version" AFTER INSERT OR UPDATE OR DELETE ON "Tier"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "backline_bump_content_version"();
