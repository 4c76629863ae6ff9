import { open, type FileHandle } from 'node:fs/promises';

const FLUSH_AT = 64 * 1024;

/**
 * Buffered text-file writer: lines are collected up to ~64 KiB and written through one file handle, so no
 * file is ever held whole in memory. Counts lines (1-based numbers are what the ground truth points at)
 * and bytes.
 */
export class LineWriter {
  private parts: string[] = [];
  private pending = 0;
  /** Lines written so far (the number of the last line). */
  lines = 0;
  bytes = 0;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    private readonly eol: string,
  ) {}

  static async create(path: string, eol = '\r\n'): Promise<LineWriter> {
    return new LineWriter(await open(path, 'w'), path, eol);
  }

  /** Appends one line (without its end-of-line) and returns its 1-based line number. */
  async line(text: string): Promise<number> {
    this.parts.push(text, this.eol);
    this.pending += text.length + this.eol.length;
    this.lines++;
    if (this.pending >= FLUSH_AT) await this.flush();
    return this.lines;
  }

  private async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    this.bytes += buf.length;
    await this.fh.write(buf);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.fh.close();
  }
}
