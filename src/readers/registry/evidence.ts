import type { EvidenceSource } from '../../evidence/source.js';
import { readExchangeRegistry, type ExchangeRegistry } from './exchange.js';
import { Hive } from './hive.js';

/** SOFTWARE hives inside an archive are read whole: bounded (real ones are 50-300 MB). */
export const MAX_ARCHIVED_HIVE_BYTES = 512 * 1024 * 1024;

/**
 * The Exchange facts of the evidence's SOFTWARE hive: positioned reads on a file, or the whole entry from an archive.
 * Throws RegistryError for a file that is not a hive, EvidenceError for one that cannot be read.
 */
export async function readSoftwareHive(src: EvidenceSource, rel: string): Promise<ExchangeRegistry> {
  const hive = src.archive ? Hive.fromBytes(await src.readAll(rel, MAX_ARCHIVED_HIVE_BYTES)) : Hive.openFile(src.absolute(rel));
  try {
    return readExchangeRegistry(hive);
  } finally {
    hive.close();
  }
}
