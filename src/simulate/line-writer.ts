import { closeSync, openSync, writeSync } from 'node:fs';

const CHUNK = 1 << 20;
const CRLF_0 = 13;
const CRLF_1 = 10;

/**
 * Synchronous buffered CRLF line writer: lines are copied into one 1 MiB buffer that is written out when full,
 * so a file is never held whole in memory and no per-line allocation or promise is made. Counts lines (1-based
 * numbers are what the ground truth points at) and bytes. A writer opened with `path === null` writes nothing
 * and only counts (the size estimator's dry runs).
 *
 * Generation units run on worker threads (or one at a time in-process), so blocking writes are what we want:
 * one thread formats and writes, the other threads do the same for other files.
 */
export class LineWriter {
  /** Lines written so far (the number of the last line). */
  lines = 0;
  bytes = 0;
  private pos = 0;
  private readonly fd: number;

  private constructor(
    readonly path: string | null,
    private readonly buf: Buffer | null,
  ) {
    this.fd = path === null ? -1 : openSync(path, 'w');
  }

  static create(path: string | null, shared?: Buffer): LineWriter {
    return new LineWriter(path, path === null ? null : (shared ?? Buffer.allocUnsafe(CHUNK)));
  }

  /** Appends one line (without its end-of-line) and returns its 1-based line number. */
  line(text: string): number {
    this.lines++;
    const buf = this.buf;
    if (buf === null) {
      this.bytes += Buffer.byteLength(text, 'utf8') + 2;
      return this.lines;
    }
    if (this.pos + text.length * 3 + 2 > buf.length) {
      this.flush();
      if (text.length * 3 + 2 > buf.length) {
        const b = Buffer.from(text + '\r\n', 'utf8');
        writeAll(this.fd, b, b.length);
        this.bytes += b.length;
        return this.lines;
      }
    }
    const n = buf.write(text, this.pos, 'utf8');
    this.pos += n;
    buf[this.pos++] = CRLF_0;
    buf[this.pos++] = CRLF_1;
    this.bytes += n + 2;
    return this.lines;
  }

  private flush(): void {
    if (this.pos === 0 || this.buf === null) return;
    writeAll(this.fd, this.buf, this.pos);
    this.pos = 0;
  }

  close(): void {
    if (this.buf === null) return;
    this.flush();
    closeSync(this.fd);
  }
}

function writeAll(fd: number, buf: Buffer, len: number): void {
  let off = 0;
  while (off < len) off += writeSync(fd, buf, off, len - off);
}

/** Bytes a chunk of buffers per writer keeps: one per open file of a generation unit. */
export const WRITER_CHUNK = CHUNK;
