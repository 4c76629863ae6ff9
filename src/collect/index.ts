export { collect, OutputError, type CollectOptions, type CollectResult, type CollectProgress, type CollectIo } from './collect.js';
export { verifyArchive, type VerifyResult, type VerifyOptions, type Difference, type DifferenceKind } from './verify.js';
export { MANIFEST_SCHEMA, manifestCsv, type Manifest, type ManifestFile, type NotCollected, type CollectCategory } from './manifest.js';
export { planCollection, EXTRA_DIR, type Plan, type PlannedFile } from './plan.js';
