export { simulate, SCENARIOS, HTTPERR_ROTATE_BYTES, type Scenario, type SimulateOptions, type FloodOptions } from './simulate.js';
export { parseSize } from './size.js';
export {
  writeTruth, ATTACK_KINDS, type SimulationTruth, type PlantedIndicator, type IndicatorKind, type EvidenceSource, type LogSpan,
  type BuildPeriod, type FloodSummary,
} from './truth.js';
export { HTTPPROXY_FIELDS, IIS_FIELDS } from './request.js';
