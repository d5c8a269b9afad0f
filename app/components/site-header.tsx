import { Form, Link, NavLink } from "@remix-run/react";
import { can } from "~/models/permissions";
import type { Role } from "~/models/types";
import favicon from "../../public/favicon.svg";

type User = { id: string; username: string; role: string } | null;

export function SiteHeader({ user, unreadCount = 0 }: { user: User; unreadCount?: number }) {
  return (
    <header className="site-header">
      <nav aria-label="Main" className="nav">
        <Link to="/" className="brand">
          <img src={favicon} alt="" width={24} height={24} /> Backline
        </Link>
        <ul className="nav-links">
          <li>
            <NavLink to="/" end>
              Categories
            </NavLink>
          </li>
          <li>
            <NavLink to="/latest">Latest</NavLink>
          </li>
          <li>
            <NavLink to="/top">Top</NavLink>
          </li>
          <li>
            <NavLink to="/unanswered">Unanswered</NavLink>
          </li>
          <li>
            <NavLink to="/tags">Tags</NavLink>
          </li>
          {user && can({ id: user.id, role: user.role as Role }, "flag:handle") ? (
            <li>
              <NavLink to="/mod">Moderation</NavLink>
            </li>
          ) : null}
          {user ? (
            can({ id: user.id, role: user.role as Role }, "desk:view") ? (
              <li>
                <NavLink to="/desk">Desk</NavLink>
              </li>
            ) : (
              <li>
                <NavLink to="/tickets">Tickets</NavLink>
              </li>
            )
          ) : null}
        </ul>
        <Form method="get" action="/search" role="search" className="nav-search">
          <input type="search" name="q" aria-label="Search the forum" placeholder="Search…" size={14} />
        </Form>
        <div className="nav-account">
          {user ? (
            <>
              <NavLink to="/new" className="button ask">
                Ask
              </NavLink>
              {can({ id: user.id, role: user.role as Role }, "settings:manage") ? <NavLink to="/admin">Admin</NavLink> : null}
              <NavLink
                to="/notifications"
                className="notifications-link"
                aria-label={unreadCount ? `Notifications, ${unreadCount} unread` : "Notifications"}
              >
                Notifications{unreadCount ? <span className="badge unread-count">{unreadCount > 99 ? "99+" : unreadCount}</span> : null}
              </NavLink>
              <NavLink to="/settings" aria-label={`Account settings for ${user.username}`}>
                {user.username}
                {user.role !== "member" ? <span className="role-badge">{user.role}</span> : null}
              </NavLink>
              <Form method="post" action="/logout">
                <button type="submit" className="link-button">
                  Sign out
                </button>
              </Form>
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
