import { readAsset } from './assets.js';

/** The package version, from package.json (one source of truth). */
export const VERSION: string = (JSON.parse(readAsset('package.json')) as { version: string }).version;
