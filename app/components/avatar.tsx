// Avatars drawn from the username alone: no upload, no outside service (Gravatar would tell a
// third party who reads which thread). The same name always gets the same initials and colour.

/** FNV-1a over the UTF-16 code units: small, stable across server and browser, spreads similar names apart. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A dark enough background for white initials at every hue (contrast at least 4.5:1). */
export const avatarColour = (username: string) => `hsl(${hashName(username.toLowerCase()) % 360} 55% 30%)`;

/** One or two letters: "ada" → "A", "grace_hopper" → "GH", "x-y-z" → "XY". */
export function avatarInitials(username: string): string {
  const parts = username.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const letters = parts.length > 1 ? [...parts[0]!].slice(0, 1).concat([...parts[1]!].slice(0, 1)) : [...(parts[0] ?? "?")].slice(0, 1);
  return letters.join("").toUpperCase();
}

/** Decorative: the username is always written beside it, so screen readers skip the picture. */
export function Avatar({ username, size = 24 }: { username: string; size?: number }) {
  const initials = avatarInitials(username);
  return (
    <svg className="avatar" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <circle cx="16" cy="16" r="16" fill={avatarColour(username)} />
      <text x="16" y="16" dy="0.35em" textAnchor="middle" fontSize={initials.length > 1 ? 13 : 16} fontWeight="700" fill="#fff">
        {initials}
      </text>
    </svg>
  );
}
