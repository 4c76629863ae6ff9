/**
 * Live Windows servers: the Event Log service holds the `.evtx` files open without sharing them for
 * reading, so a plain copy fails. `wevtutil epl <channel> <file>` asks the service for a consistent copy
 * of the channel instead. Only ever run on Windows, on the live system drive (never in tests).
 */
import { execFile } from 'node:child_process';
import { basename, join, resolve } from 'node:path';

/** Errors that mean "another process holds the file": sharing violation or lock. */
export function isLockedError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'EBUSY' || code === 'EPERM' || code === 'EACCES';
}

/** Is `root` the system drive of the Windows machine exhunt runs on (a live server)? */
export function isLiveSystemDrive(root: string): boolean {
  if (process.platform !== 'win32') return false;
  const drive = (process.env['SystemDrive'] ?? 'C:').toLowerCase();
  return resolve(root).toLowerCase().replace(/\\+$/, '') === drive;
}

/** The channel an event log file holds (`Microsoft-Windows-Sysmon%4Operational.evtx` → `…Sysmon/Operational`). */
export function channelOfFile(file: string): string | null {
  const name = basename(file).replace(/\.evtx$/i, '');
  // Archived logs (Archive-Security-….evtx) are closed files: they copy normally and have no live channel.
  if (!name || /^Archive-/i.test(name)) return null;
  return name.replace(/%4/g, '/');
}

/**
 * A copy of a file the running system holds locked: event logs via `wevtutil epl`, the SOFTWARE hive via
 * `reg save HKLM\SOFTWARE`; undefined when neither applies.
 */
export async function exportLocked(abs: string, dir: string): Promise<{ path: string; note: string } | undefined> {
  if (process.platform !== 'win32') return undefined;
  if (/\.evtx$/i.test(abs)) return exportEventLog(abs, dir);
  if (/[\\/]System32[\\/]config[\\/]SOFTWARE$/i.test(abs)) {
    const dest = join(dir, 'SOFTWARE');
    await run('reg.exe', ['save', 'HKLM\\SOFTWARE', dest, '/y']);
    return { path: dest, note: 'held open by the registry: saved with "reg save HKLM\\SOFTWARE"; size and SHA-256 are of the saved hive' };
  }
  return undefined;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise<void>((res, rej) => {
    // No shell: every argument is passed as it is.
    execFile(cmd, args, { timeout: 30 * 60_000, windowsHide: true }, (err) => (err ? rej(err) : res()));
  });
}

/** Export a live channel with wevtutil into `dir`; undefined when not applicable. */
export async function exportEventLog(abs: string, dir: string): Promise<{ path: string; note: string } | undefined> {
  if (process.platform !== 'win32') return undefined;
  const channel = channelOfFile(abs);
  if (!channel) return undefined;
  const dest = join(dir, basename(abs));
  // The channel name comes from a file name: one argument, never a shell.
  await run('wevtutil.exe', ['epl', channel, dest]);
  return { path: dest, note: `held open by the Event Log service: exported with "wevtutil epl ${channel}"; size and SHA-256 are of the export` };
}
