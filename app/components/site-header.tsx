import { Form, Link, NavLink, useLocation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { Avatar } from "~/components/avatar";
import { can } from "~/models/permissions";
import type { Role } from "~/models/types";
import favicon from "../../public/favicon.svg";

type User = { id: string; username: string; role: string } | null;

/** The links of the main menu for this viewer: every page their role may open from anywhere. */
export function mainLinks(user: User): { to: string; label: string; end?: boolean }[] {
  const actor = user ? { id: user.id, role: user.role as Role } : null;
  return [
    { to: "/", label: "Categories", end: true },
    { to: "/latest", label: "Latest" },
    { to: "/top", label: "Top" },
    { to: "/unanswered", label: "Unanswered" },
    { to: "/tags", label: "Tags" },
    { to: "/support", label: "Support" },
    ...(can(actor, "flag:handle") ? [{ to: "/mod", label: "Moderation" }] : []),
    ...(user ? [can(actor, "desk:view") ? { to: "/desk", label: "Desk" } : { to: "/tickets", label: "Tickets" }] : []),
    ...(can(actor, "settings:manage") ? [{ to: "/admin", label: "Admin" }] : []),
  ];
}

/** A <details> menu closes itself after a client-side navigation (without JavaScript every click loads a new page). */
function useClosesOnNavigation() {
  const ref = useRef<HTMLDetailsElement>(null);
  const { key } = useLocation();
  useEffect(() => {
    ref.current?.removeAttribute("open");
  }, [key]);
  return ref;
}

// One row on a laptop; below 64rem the links and search fold into "Menu" and the account into its
// avatar. Both are <details>, so they open without JavaScript (docs/decisions/046).
export function SiteHeader({ user, unreadCount = 0 }: { user: User; unreadCount?: number }) {
  const menu = useClosesOnNavigation();
  const account = useClosesOnNavigation();
  return (
    <header className="site-header">
      <nav aria-label="Main" className="nav">
        <Link to="/" className="brand">
          <img src={favicon} alt="" width={24} height={24} /> Backline
        </Link>
        <details className="nav-menu" ref={menu}>
          {/* Named "Menu" also where a phone shows the icon alone. */}
          <summary className="menu-button" aria-label="Menu">
            <MenuIcon /> <span className="menu-label">Menu</span>
          </summary>
          <div className="nav-menu-panel">
            <ul className="nav-links">
              {mainLinks(user).map((l) => (
                <li key={l.to}>
                  <NavLink to={l.to} end={l.end}>
                    {l.label}
                  </NavLink>
                </li>
              ))}
            </ul>
            <Form method="get" action="/search" role="search" className="nav-search">
              <input type="search" name="q" aria-label="Search the forum" placeholder="Search…" size={14} />
            </Form>
          </div>
        </details>
        <div className="nav-account">
          {user ? (
            <>
              <NavLink to="/new" className="button ask">
                Ask
              </NavLink>
              <NavLink
                to="/notifications"
                className="notifications-link"
                aria-label={unreadCount ? `Notifications, ${unreadCount} unread` : "Notifications"}
                title="Notifications"
              >
                <BellIcon />
                {unreadCount ? <span className="badge unread-count">{unreadCount > 99 ? "99+" : unreadCount}</span> : null}
              </NavLink>
              <details className="account-menu" ref={account}>
                <summary className="account-button" title={`Account: ${user.username}`}>
                  <Avatar username={user.username} size={28} />
                  <span className="account-name">{user.username}</span>
                </summary>
                <ul className="account-panel">
                  <li className="account-who">
                    Signed in as <strong>{user.username}</strong>
                    {user.role !== "member" ? <span className="role-badge">{user.role}</span> : null}
                  </li>
                  <li>
                    <NavLink to={`/u/${encodeURIComponent(user.username)}`}>Your profile</NavLink>
                  </li>
                  <li>
                    <NavLink to="/settings" aria-label={`Account settings for ${user.username}`}>
                      Settings
                    </NavLink>
                  </li>
                  <li>
                    <Form method="post" action="/logout">
                      <button type="submit" className="link-button">
                        Sign out
                      </button>
                    </Form>
                  </li>
                </ul>
              </details>
            </>
          ) : (
            <>
              <NavLink to="/login">Sign in</NavLink>
              <NavLink to="/join" className="button">
                Join
              </NavLink>
            </>
          )}
        </div>
      </nav>
    </header>
  );
}

function BellIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false" className="bell">
      <path
        fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"
      />
    </svg>
  );
}

function MenuIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false" className="menu-icon">
      <path fill="currentColor" d="M3 5h18v2H3zm0 6h18v2H3zm0 6h18v2H3z" />
    </svg>
  );
}
