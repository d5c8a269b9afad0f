// The frozen copy of a thread that a paid ticket carries (docs/product.md §4.5),
// stored as JSON on Ticket.snapshot. Versioned so later shapes can coexist.
export type TicketSnapshot = {
  version: 1;
  takenAt: string;
  thread: {
    id: string;
    title: string;
    url: string;
    category: { slug: string; name: string };
    tags: string[];
    author: string;
    createdAt: string;
  };
  posts: {
    id: string;
    number: number;
    author: string;
    createdAt: string;
    editedAt: string | null;
    body: string;
    // Sanitized when the post was written (docs/decisions/006).
    bodyHtml: string;
    accepted: boolean;
  }[];
  acceptedPostId: string | null;
  links: string[];
  gate: {
    productVersion: string;
    environment: string;
    stepsToReproduce: string;
    alreadyTried: string;
    scopeAccepted: boolean;
    scopeStatement: string;
  };
  payer: { id: string; username: string; email: string };
  tier: { slug: string; name: string; responseHours: number; priceCents: number; currency: string };
};
