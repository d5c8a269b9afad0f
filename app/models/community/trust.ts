// Trust levels gate what new accounts may do, as Discourse does: a fresh
// account cannot post links or images and posts less often until it has
// taken part for a while or been found helpful.
export type TrustInput = { createdAt: Date; reputation: number; postCount: number; role: string };

export function trustLevelFor(u: TrustInput, now = new Date()): 0 | 1 | 2 {
  if (u.role !== "member") return 2;
  const ageDays = (now.getTime() - u.createdAt.getTime()) / 86_400_000;
  if (u.reputation >= 50 || (ageDays >= 14 && u.postCount >= 20)) return 2;
  if (u.reputation >= 10 || (ageDays >= 1 && u.postCount >= 3)) return 1;
  return 0;
}

export const capabilities = (level: number, staff = false) => ({
  links: level >= 1,
  images: level >= 2,
  postsPerHour: staff ? 600 : level === 0 ? 5 : level === 1 ? 30 : 120,
});
