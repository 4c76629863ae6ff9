import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelOfFile, exportLocked, isLiveSystemDrive, isLockedError } from './live.js';

test('event log file names map to their channels; archived logs have none', () => {
  assert.equal(channelOfFile('C:\\Windows\\System32\\winevt\\Logs\\Security.evtx'.replace(/\\/g, '/')), 'Security');
  assert.equal(channelOfFile('/x/Microsoft-Windows-Sysmon%4Operational.evtx'), 'Microsoft-Windows-Sysmon/Operational');
  assert.equal(channelOfFile('/x/Archive-Security-2021-03-03-10-00-00-000.evtx'), null);
});

test('locked-file errors are told apart; off Windows nothing is ever exported or treated as live', async () => {
  for (const code of ['EBUSY', 'EPERM', 'EACCES']) assert.equal(isLockedError(Object.assign(new Error(code), { code })), true);
  assert.equal(isLockedError(Object.assign(new Error('x'), { code: 'ENOENT' })), false);
  if (process.platform !== 'win32') {
    assert.equal(isLiveSystemDrive('/'), false);
    assert.equal(await exportLocked('/mnt/c/Windows/System32/winevt/Logs/Security.evtx', '/tmp'), undefined);
  }
});
