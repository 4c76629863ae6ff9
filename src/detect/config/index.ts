/** Mitigation verification from IIS configuration files: the public surface of `src/detect/config/`. */
export { verifyMitigations, ruleProblems, NOT_A_FIX } from './verify.js';
export type { ConfigFileInput, IisConfigInput, MitigationState, RuleCheck, FamilyMitigationCheck, MitigationVerification } from './verify.js';
export { loadIisConfigs } from './load.js';
export type { ConfigLocations } from './load.js';
export { parseConfigXml, decodeEntities, ConfigXmlError, MAX_CONFIG_BYTES } from './xml.js';
export type { XNode } from './xml.js';
export { applyOps, ruleOps, readRule } from './rewriteRules.js';
export type { ConfigRule, RuleOp } from './rewriteRules.js';
