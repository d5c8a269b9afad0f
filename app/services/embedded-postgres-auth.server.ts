import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import type { Socket } from "node:net";
import type { PGLiteSocketServer } from "@electric-sql/pglite-socket";

// pglite-socket hands every connection straight to PGlite, which answers the startup message
// with AuthenticationOk whatever the user and password. This sits in front of it for the
// startup phase only: SCRAM-SHA-256 as a PostgreSQL server speaks it, then the socket goes to
// pglite-socket untouched, so queries pay nothing for it (docs/decisions/030).

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
// PostgreSQL's own bound on a startup packet; anything longer (an HTTP request read as a
// length, say) is not a client of ours.
const MAX_STARTUP_BYTES = 10_000;
const MAX_AUTH_MESSAGE_BYTES = 2_000;
// A connection that has not authenticated by then holds a slot of the server's few.
const AUTH_TIMEOUT_MS = 10_000;
const MECHANISM = "SCRAM-SHA-256";
const ITERATIONS = 4096;

type Verifier = { user: string; salt: string; storedKey: Buffer; serverKey: Buffer };

export type AuthGuard = { closePending: () => void };

/**
 * Makes `server` require `user` and `password` before PGlite sees a byte of the connection.
 * Must be called before `server.start()`.
 */
export function requirePassword(server: PGLiteSocketServer, credentials: { user: string; password: string }): AuthGuard {
  const verifier = scramVerifier(credentials.user, credentials.password);
  const pending = new Set<Socket>();
  // pglite-socket (pinned version) calls this.handleConnection(socket) for every accepted socket.
  const target = server as unknown as { handleConnection: (socket: Socket) => Promise<void> };
  if (typeof target.handleConnection !== "function") throw new Error("pglite-socket changed: no handleConnection to guard");
  const handOver = target.handleConnection.bind(server);
  target.handleConnection = async (socket) => {
    pending.add(socket);
    const startup = await authenticate(socket, verifier).finally(() => pending.delete(socket));
    if (!startup) return;
    // Paused until pglite-socket listens, so nothing the client sends next is lost.
    socket.pause();
    await handOver(socket);
    // PGlite answers the original startup message with AuthenticationOk, parameters and
    // ReadyForQuery: what a client expects right after SCRAM's final message.
    socket.emit("data", startup);
    socket.resume();
  };
  return {
    closePending: () => {
      for (const socket of pending) socket.destroy();
    },
  };
}

function scramVerifier(user: string, password: string): Verifier {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, ITERATIONS, 32, "sha256");
  const clientKey = hmac(salted, "Client Key");
  return { user, salt: salt.toString("base64"), storedKey: sha256(clientKey), serverKey: hmac(salted, "Server Key") };
}

type Exchange = { gs2Header: string; clientFirstBare: string; serverFirst: string; nonce: string };

/**
 * Runs the startup phase on `socket`. Resolves with the bytes to hand to PGlite (the startup
 * message and anything sent after the last authentication message), or undefined once the
 * connection has been refused and closed.
 */
function authenticate(socket: Socket, verifier: Verifier): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    let startup: Buffer | undefined;
    let user = "";
    let exchange: Exchange | undefined;
    let done = false;

    const finish = (result: Buffer | undefined) => {
      done = true;
      socket.off("data", onData);
      socket.off("error", close);
      socket.off("close", close);
      socket.off("timeout", onTimeout);
      socket.setTimeout(0);
      // A refused socket can still report a reset while it closes (pglite-socket listens on the others).
      if (!result) socket.on("error", () => socket.destroy());
      resolve(result);
    };
    const close = (): false => {
      socket.destroy();
      finish(undefined);
      return false;
    };
    const refuse = (code: string, text: string): false => {
      // Closed once the error is flushed, whether or not the client ever closes its side.
      socket.end(errorResponse(code, text), () => socket.destroy());
      finish(undefined);
      return false;
    };
    const fail = () => refuse("28P01", `password authentication failed for user "${user}"`);
    const onTimeout = () => refuse("08P01", "authentication timed out");

    // Each reader consumes one message and says whether to go on; refusing ends the loop.
    const startupPacket = (): boolean => {
      if (buffer.length < 8) return false;
      const length = buffer.readInt32BE(0);
      const code = buffer.readInt32BE(4);
      if (length < 8 || length > MAX_STARTUP_BYTES) return refuse("08P01", "invalid startup packet");
      if (buffer.length < length) return false;
      const packet = Buffer.from(buffer.subarray(0, length));
      buffer = buffer.subarray(length);
      if ((code === SSL_REQUEST || code === GSSENC_REQUEST) && length === 8) {
        socket.write("N");
        return true;
      }
      // PGlite has no backend to cancel; a cancel request authenticates nothing.
      if (code === CANCEL_REQUEST) return close();
      if (code !== PROTOCOL_3) return refuse("0A000", "unsupported frontend protocol");
      startup = packet;
      user = startupParameter(packet, "user") ?? "";
      socket.write(message("R", Buffer.concat([int32(10), Buffer.from(`${MECHANISM}\0\0`)])));
      return true;
    };

    const saslResponse = (): boolean => {
      if (buffer.length < 5) return false;
      const length = buffer.readInt32BE(1);
      // Anything but a SASL response here is a client carrying on without a password.
      if (buffer[0] !== 0x70 /* p */ || length < 4 || length > MAX_AUTH_MESSAGE_BYTES) return fail();
      if (buffer.length < 1 + length) return false;
      const body = buffer.subarray(5, 1 + length);
      buffer = buffer.subarray(1 + length);
      if (!exchange) {
        exchange = clientFirst(body, verifier);
        if (!exchange) return fail();
        socket.write(message("R", Buffer.concat([int32(11), Buffer.from(exchange.serverFirst)])));
        return true;
      }
      const signature = clientFinal(body.toString("utf8"), exchange, user, verifier);
      if (!signature) return fail();
      socket.write(message("R", Buffer.concat([int32(12), Buffer.from(`v=${signature}`)])));
      finish(Buffer.concat([startup!, buffer]));
      return true;
    };

    const onData = (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      while (!done && (startup ? saslResponse() : startupPacket()));
    };

    socket.on("data", onData);
    socket.on("error", close);
    socket.on("close", close);
    socket.on("timeout", onTimeout);
    socket.setTimeout(AUTH_TIMEOUT_MS);
  });
}

function clientFirst(body: Buffer, verifier: Verifier): Exchange | undefined {
  const nul = body.indexOf(0);
  if (nul < 0 || body.subarray(0, nul).toString() !== MECHANISM || body.length < nul + 5) return undefined;
  const data = body.subarray(nul + 5, nul + 5 + body.readInt32BE(nul + 1)).toString("utf8");
  // gs2 header "n" (no channel binding) or "y" (the client could, the server offers none); no authzid.
  const match = /^([ny]),,(n=[^,]*,r=([\x21-\x2b\x2d-\x7e]+))$/.exec(data);
  if (!match) return undefined;
  const nonce = match[3] + randomBytes(18).toString("base64");
  return { gs2Header: `${match[1]},,`, clientFirstBare: match[2]!, serverFirst: `r=${nonce},s=${verifier.salt},i=${ITERATIONS}`, nonce };
}

/** Checks the client's proof; returns the server signature to send, or undefined. */
function clientFinal(data: string, scram: Exchange, user: string, verifier: Verifier): string | undefined {
  const at = data.lastIndexOf(",p=");
  if (at < 0) return undefined;
  const withoutProof = data.slice(0, at);
  if (withoutProof !== `c=${Buffer.from(scram.gs2Header).toString("base64")},r=${scram.nonce}`) return undefined;
  const proof = Buffer.from(data.slice(at + 3), "base64");
  if (proof.length !== 32) return undefined;
  const authMessage = `${scram.clientFirstBare},${scram.serverFirst},${withoutProof}`;
  const clientSignature = hmac(verifier.storedKey, authMessage);
  const clientKey = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
  const proofOk = timingSafeEqual(sha256(clientKey), verifier.storedKey);
  // Checked after the proof, as PostgreSQL does, so a wrong user looks like a wrong password.
  if (!proofOk || user !== verifier.user) return undefined;
  return hmac(verifier.serverKey, authMessage).toString("base64");
}

function startupParameter(packet: Buffer, name: string): string | undefined {
  const fields = packet.subarray(8).toString("utf8").split("\0");
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function errorResponse(code: string, text: string): Buffer {
  const fields = `SFATAL\0VFATAL\0C${code}\0M${text}\0\0`;
  return message("E", Buffer.from(fields));
}

function message(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest();
