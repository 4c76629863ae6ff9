/** The Sigma rule engine: load, validate and compile Sigma rules (with exhunt's extension). */
export type { CompiledRule, ExhuntExtension, WherePredicate, RuleContext, RuleMatch, RuleLoadIssue } from './types.js';
export { RuleSet, loadRuleSet, listRuleFiles, logsourceApplies, type RuleSource, type RuleSetOptions, type AcceptedDoc } from './ruleset.js';
export { compileRuleDoc } from './compile.js';
export { parseRuleYaml } from './load.js';
export { validateRuleDoc, LEVELS, type RuleDoc } from './schema.js';
export { parseCondition, type CondNode } from './condition.js';
export { parseFieldKey, KNOWN_MODIFIERS, base64OffsetVariants, windashVariants } from './modifiers.js';
export { parseWildcards, compileWildcard } from './wildcard.js';
export { compileRe2, deferRegexCompilation, regexLiterals, MAX_PROGRAM_SIZE, type Re2 } from './regex.js';
export { parseCidr, parseIp, inNetwork } from './cidr.js';
export { MAPPINGS, VIRTUAL_FIELDS, mappingFor, resolveField, readField, type SourceMapping, type FieldMapping } from './mappings.js';
export { unionPrefilter, prefilterAccepts } from './prefilter.js';
export { parseExhunt, summaryFields } from './exhunt.js';
export { renderSummary } from './summary.js';
export { normaliseWindowsPath, isUnder, isUnderInstall } from './paths.js';
export { RuleProblem } from './problem.js';
