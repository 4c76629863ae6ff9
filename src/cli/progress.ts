import type { ScanProgress } from '../scan.js';

/**
 * Progress line on stderr: files, bytes, rate, ETA. Only on a TTY and never more than 5 times a second
 * (Test-ProxyLogon lost 100 s of 128 to progress updates, CSS-Exchange issue #54).
 */
export function progressPrinter(stream: NodeJS.WriteStream, enabled: boolean): { update: (p: ScanProgress) => void; done: () => void } {
  if (!enabled || !stream.isTTY) return { update: () => {}, done: () => {} };
  const start = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 200 && p.phase === 'logs') return;
      last = now;
      const secs = (now - start) / 1000;
      const rate = secs > 0 ? p.bytesDone / secs : 0;
      const eta = rate > 0 && p.bytesTotal > p.bytesDone ? Math.round((p.bytesTotal - p.bytesDone) / rate) : 0;
      const mb = (n: number) => (n / 1048576).toFixed(0);
      const line =
        p.phase === 'logs'
          ? `logs ${p.filesDone}/${p.filesTotal} files · ${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB · ${(rate / 1048576).toFixed(0)} MB/s · ETA ${eta}s`
          : p.phase;
      stream.write(`\r\u001b[2K${line.slice(0, (stream.columns || 100) - 1)}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\u001b[2K');
    },
  };
}
