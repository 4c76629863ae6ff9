/**
 * What a scan needs once the log hunt is under way: verdicts, correlation, the host's facts, the web-file
 * scan. scan.ts loads this module while the workers read the logs, so the path to the first log byte loads
 * only what the hunt needs (the scan command starts with 58 modules instead of 110).
 */
export { annotateWithExposure, chooseBuild, readRegistryFacts, verifyHostMitigations } from './detect/config/hostState.js';
export { umCheckReasons } from './detect/evtx-coverage.js';
export { inventory } from './detect/inventory.js';
export { decideVerdict } from './correlate/verdicts.js';
export { attributeUnclaimed, applyRaises } from './correlate/attribution.js';
export { FAMILIES } from './correlate/families.js';
export { buildKnowledgeDate, buildReport, readPeFileVersion } from './detect/build/index.js';
export { PE_MAX_FILE_BYTES } from './detect/build/peVersion.js';
export { nextSteps } from './correlate/next-steps.js';
export { correlateIncidents } from './correlate/incidents.js';
export { addWindowFindings, runFileScan, withFileFindings } from './detect/files/index.js';
