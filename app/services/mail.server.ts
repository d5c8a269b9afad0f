import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";
import { getEnv } from "~/env.server";
import { logger } from "./logger.server";

export type Mail = { to: string; subject: string; text: string; html?: string; headers?: Record<string, string> };

let transport: nodemailer.Transporter | undefined;

function getTransport() {
  const env = getEnv();
  // Without SMTP the message is built by nodemailer all the same and kept as an
  // .eml file, so development shows exactly what would have been sent.
  transport ??= env.SMTP_URL
    ? nodemailer.createTransport(env.SMTP_URL)
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return transport;
}

/** Sends, or in development writes to DATA_DIR/mailbox; returns the file path in that case. */
export async function sendMail(mail: Mail): Promise<string | undefined> {
  const env = getEnv();
  const info = await getTransport().sendMail({ from: env.MAIL_FROM, ...mail });
  if (env.SMTP_URL) return undefined;
  const dir = path.join(env.dataDir, "mailbox");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}-${safe(mail.to)}.eml`);
  writeFileSync(file, (info as unknown as { message: Buffer }).message);
  logger.info(`mail to ${mail.to} written to ${file}`);
  return file;
}

const safe = (s: string) => s.replace(/[^a-zA-Z0-9@._-]/g, "_").slice(0, 60);

export function resetMailTransportForTests() {
  transport = undefined;
}
