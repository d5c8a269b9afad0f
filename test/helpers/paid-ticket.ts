import { expect } from "vitest";
import type { Client } from "./http";
import { gate } from "./support-world";

/** Escalates over the API and authorises on the test checkout page, as the member's browser would. */
export async function paidTicket(server: { url: string }, client: Client, threadId: string, answers = gate()) {
  const res = await client.post(`/api/v1/threads/${threadId}/escalations`, answers);
  expect(res.status).toBe(201);
  const { escalationId, checkoutUrl } = await res.json();
  expect(checkoutUrl).toBe(`${server.url}/test-checkout/${escalationId}`);
  const authorized = await client.request("POST", `/test-checkout/${escalationId}`, { form: { intent: "authorize" } });
  expect(authorized.status).toBe(302);
  const back = await client.get(authorized.headers.get("location")!.replace(server.url, ""));
  expect(back.status).toBe(302);
  return { escalationId: escalationId as string, ticketId: back.headers.get("location")!.split("/tickets/")[1]! };
}
