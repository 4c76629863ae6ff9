export { simulate, SCENARIOS, type Scenario, type SimulateOptions } from './simulate.js';
export {
  writeTruth, ATTACK_KINDS, type SimulationTruth, type PlantedIndicator, type IndicatorKind, type EvidenceSource, type LogSpan,
  type BuildPeriod,
} from './truth.js';
export { HTTPPROXY_FIELDS, IIS_FIELDS } from './request.js';
