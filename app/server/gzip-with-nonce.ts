import zlib from "node:zlib";

// A cached page is the same for every visitor except its CSP nonce, which each
// response swaps in for a placeholder (docs/decisions/018). So that the page is
// compressed once per cache entry and not once per response (docs/decisions/043),
// the text between placeholders is deflated once, each piece ending in a full
// flush (byte-aligned, and nothing after it refers back to it), and every
// placeholder becomes an uncompressed ("stored") deflate block: a response only
// writes its nonce into those holes and adds the gzip header and trailer. A
// member's thread page (docs/decisions/042) has one more hole, where their own
// state goes, in stored blocks too.

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]);

export type GzipTemplate = {
  /** The uncompressed text between holes (views into the cached body). */
  plain: Buffer[];
  /** The same pieces deflated; all but the last end in a full flush, the last ends the stream. */
  deflated: Buffer[];
  /** Bytes of the finished gzip body when every hole holds a nonce (each has the placeholder's length). */
  length: number;
};

// A stored block holds at most 65,535 bytes; a longer fill (a member's payload) takes several.
const STORED_MAX = 0xffff;

function storedBlockHeader(length: number) {
  // BFINAL 0, BTYPE 00 (stored), padded to a byte; then LEN and its one's complement, little-endian.
  const header = Buffer.alloc(5);
  header.writeUInt16LE(length, 1);
  header.writeUInt16LE(~length & 0xffff, 3);
  return header;
}

/** The cached body's text between placeholders, as views into it (one more piece than placeholders). */
export function piecesAround(body: Buffer, placeholder: string): Buffer[] {
  const hole = Buffer.from(placeholder);
  const pieces: Buffer[] = [];
  let from = 0;
  for (let at = body.indexOf(hole); at !== -1; at = body.indexOf(hole, from)) {
    pieces.push(body.subarray(from, at));
    from = at + hole.length;
  }
  pieces.push(body.subarray(from));
  return pieces;
}

/**
 * Writes the pieces with `hole(i)` between piece i and the next, uncopied: Node corks the socket for the
 * writes of one tick, so the headers and every part still leave in one writev.
 */
export function writeAround(
  res: { write(chunk: Buffer): unknown; end(chunk: Buffer): unknown },
  pieces: Buffer[],
  hole: (i: number) => Buffer,
) {
  const last = pieces.length - 1;
  for (let i = 0; i < last; i++) {
    res.write(pieces[i]!);
    res.write(hole(i));
  }
  res.end(pieces[last]!);
}

export function gzipTemplate(plain: Buffer[], placeholder: string): GzipTemplate {
  const deflated = plain.map((piece, i) =>
    zlib.deflateRawSync(piece, {
      level: zlib.constants.Z_BEST_COMPRESSION,
      finishFlush: i < plain.length - 1 ? zlib.constants.Z_FULL_FLUSH : zlib.constants.Z_FINISH,
    }),
  );
  const holes = plain.length - 1;
  const length = GZIP_HEADER.length + deflated.reduce((n, d) => n + d.length, 0) + holes * (5 + Buffer.byteLength(placeholder)) + 8;
  return { plain, deflated, length };
}

/** The gzip body of the cached page with `fill(i)` in hole i: the response's nonce, or a member's own state. */
export function gzipFilled(template: GzipTemplate, fill: (hole: number) => Buffer): Buffer {
  const parts: Buffer[] = [GZIP_HEADER];
  let crc = 0;
  let size = 0;
  // zlib.crc32 of an empty buffer answered 0 instead of the running value here (Node 20): empty parts are skipped.
  const crcOf = (bytes: Buffer) => (bytes.length ? zlib.crc32(bytes, crc) : crc);
  template.deflated.forEach((deflated, i) => {
    parts.push(deflated);
    crc = crcOf(template.plain[i]!);
    size += template.plain[i]!.length;
    if (i === template.deflated.length - 1) return;
    const bytes = fill(i);
    for (let from = 0; from === 0 || from < bytes.length; from += STORED_MAX) {
      const block = bytes.subarray(from, from + STORED_MAX);
      parts.push(storedBlockHeader(block.length), block);
    }
    crc = crcOf(bytes);
    size += bytes.length;
  });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size >>> 0, 4);
  parts.push(trailer);
  return Buffer.concat(parts);
}

/** The gzip body of the cached page with `nonce` in every hole. */
export function gzipWithNonce(template: GzipTemplate, nonce: string): Buffer {
  const fill = Buffer.from(nonce);
  return gzipFilled(template, () => fill);
}
