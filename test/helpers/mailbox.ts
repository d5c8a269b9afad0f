import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// Reads the .eml files the mail service writes to DATA_DIR/mailbox when no SMTP
// server is configured, decoded enough for assertions: headers unfolded with
// RFC 2047 words decoded, quoted-printable bodies decoded.

const qpBytes = (s: string) =>
  Buffer.from(
    s.replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    "latin1",
  ).toString("utf8");

function decodeHeaders(raw: string) {
  return raw
    .replace(/\r?\n[ \t]+/g, " ")
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_, word: string) => qpBytes(word.replace(/_/g, " ")))
    .replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, word: string) => Buffer.from(word, "base64").toString("utf8"));
}

export function decodeMail(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? "" : raw.slice(split);
  return `${decodeHeaders(head)}${qpBytes(body.replace(/=\r?\n/g, ""))}`;
}

/** Every message in the mailbox (oldest first), decoded; `to` keeps those addressed to one recipient. */
export function readMailbox(mailbox: string, to?: string): string[] {
  let files: string[];
  try {
    files = readdirSync(mailbox)
      .filter((f) => f.endsWith(".eml"))
      .sort();
  } catch {
    return [];
  }
  const mails = files.map((f) => decodeMail(readFileSync(path.join(mailbox, f), "utf8")));
  return to ? mails.filter((m) => m.split(/\r?\n/).some((line) => line.toLowerCase() === `to: ${to.toLowerCase()}`)) : mails;
}
