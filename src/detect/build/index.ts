/** Build knowledge and per-family verdicts: the public surface of `src/detect/build/`. */
export * from './version.js';
export * from './types.js';
export { productOf, productName, sameLine } from './product.js';
export { loadBuildKnowledge, indexKnowledge, buildKnowledgeDate, familyIds, getFamily } from './knowledge.js';
export type { BuildKnowledge, CuInfo } from './knowledge.js';
export { cuOfVersion } from './cuOf.js';
export type { CuMatch } from './cuOf.js';
export { lookupBuild } from './lookupBuild.js';
export type { BuildInfo, LookupOptions } from './lookupBuild.js';
export { familyStatus, isFixed, firstFixedSU } from './familyStatus.js';
export type { FamilyStatus, FamilyStatusValue, FixingBuild } from './familyStatus.js';
export { buildReport, REPORTED_FAMILIES } from './buildReport.js';
export type { BuildReport } from './buildReport.js';
export { readPeFileVersion, PE_MAX_FILE_BYTES } from './peVersion.js';
export type { PeVersionInfo, PeVersionError, PeVersionResult } from './peVersion.js';
