-- Usernames keep the case people chose but are unique regardless of case: "Admin" and "admin"
-- signing up at the same moment must not both succeed (the check before insert is not enough).
CREATE UNIQUE INDEX "User_username_lower_key" ON "User" (lower("username"));
