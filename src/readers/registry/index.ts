/** Offline Windows registry hives (regf) and the Exchange facts in the SOFTWARE hive. See FORMAT.md. */
export { Hive, RegistryError, REG, bytesOf, fileBytes, lhHash, valueText, valueNumber } from './hive.js';
export type { HiveBytes, HiveKey, HiveLimits, HiveValue } from './hive.js';
export { readExchangeRegistry, readExchangeRegistryFile, kbOf } from './exchange.js';
export type { ExchangeRegistry, ExchangeSetup, InstalledUpdate } from './exchange.js';
export { buildFromInstalledUpdates } from './updates.js';
export type { InstalledUpdateBuild, MatchedUpdate } from './updates.js';
export { readSoftwareHive, MAX_ARCHIVED_HIVE_BYTES } from './evidence.js';
