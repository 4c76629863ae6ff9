import { writeFile } from 'node:fs/promises';
import type { ScenarioExpectation } from './attack-kit.js';

export type { ScenarioExpectation };

/** What a planted (or deliberately benign-looking) piece of evidence is. */
export type IndicatorKind =
  | 'ssrf'
  | 'ssrf-attempt'
  | 'scanner'
  | 'ecp-set-vdir'
  | 'oab-reset'
  | 'oab-write'
  | 'webshell-file'
  | 'webshell-access'
  | 'lsass-dump'
  | 'archive'
  | 'rps-cmdlet'
  | 'mailbox-export'
  | 'ews-access'
  | 'benign-trap';

/** Kinds that only an attacked server has (`benign-trap` is on every tree). */
export const ATTACK_KINDS: readonly IndicatorKind[] = [
  'ssrf', 'ssrf-attempt', 'scanner', 'ecp-set-vdir', 'oab-reset', 'oab-write', 'webshell-file', 'webshell-access',
  'lsass-dump', 'archive',
];

/** Kinds only the 2021–2022 scenarios plant (cmdlet and EWS log rows). */
export const WAVE_KINDS: readonly IndicatorKind[] = ['rps-cmdlet', 'mailbox-export', 'ews-access'];

/** The log family or file class a planted indicator sits in. */
export type EvidenceSource =
  | 'httpproxy'
  | 'iis-frontend'
  | 'iis-backend'
  | 'httperr'
  | 'ecp-server'
  | 'oab-generator'
  | 'rps-cmdlet'
  | 'ews'
  | 'file';

export interface PlantedIndicator {
  kind: IndicatorKind;
  source: EvidenceSource;
  /** Path relative to the tree root, `/`-separated, real casing. */
  file: string;
  /** 1-based line number in `file` (absent for binary files). */
  line?: number;
  /** ISO 8601 UTC: the record's time, or the file's modification time. */
  time: string;
  /** A string that occurs verbatim on that line (as written, CSV escaping included), or in the file. */
  value: string;
  /** Client IP of the request, when there is one. */
  ip?: string;
  /** One line in words. */
  note: string;
}

export interface BuildPeriod {
  version: string;
  label: string;
  /** ISO time the build became active (for the first build: when it was installed, before the period). */
  from: string;
  /** ISO time it was replaced; absent for the build still running at the end. */
  to?: string;
}

export interface LogSpan {
  /** Folder relative to the tree root. */
  folder: string;
  files: number;
  bytes: number;
  /** ISO time of the first and last record written (absent when the family wrote nothing). */
  first?: string;
  last?: string;
}

/**
 * A flood (scenario `flood`): lines of one kind in one log family, counted instead of listed one by one. Every
 * counted line holds `value`; the planted indicators of the same kind listed in `indicators` are not included.
 */
export interface FloodSummary {
  kind: 'scanner' | 'webshell-access';
  source: EvidenceSource;
  /** A string that occurs verbatim on every counted line. */
  value: string;
  /** Lines written. */
  count: number;
  /** ISO times of the first and last counted line. */
  first?: string;
  last?: string;
  /** Distinct client IPs of the counted lines, and a few of them. */
  ips: number;
  sampleIps: string[];
  /** The first few counted lines, as indicators (file and line). */
  samples: PlantedIndicator[];
  note: string;
}

export interface SimulationTruth {
  scenario: 'clean' | 'proxylogon' | 'flood' | 'proxyshell' | 'proxynotshell' | 'owassrf' | 'multi';
  /** The 2021–2022 scenarios: what a scan should conclude (verdicts, incidents, scanners). */
  expect?: ScenarioExpectation;
  seed: number;
  /** Size runs: the requested size (bytes) and the traffic scale chosen to reach it. */
  sizeTarget?: number;
  scale?: number;
  host: { name: string; fqdn: string; domain: string; publicHost: string; ip: string; installPath: string };
  /** Simulated period: [start, end). */
  period: { start: string; end: string; days: number };
  /** Exchange deletes its own logs after this many days; IIS logs are kept for the whole period. */
  retentionDays: number;
  builds: BuildPeriod[];
  /** When the March 2021 SU was installed (absent when outside the period). */
  suInstalled?: string;
  attackerIps: string[];
  attack?: {
    exploitIp: string;
    shellIp: string;
    scannerIps: string[];
    failedAttemptIps: string[];
    /** ISO time of the first SSRF request of the exploit chain. */
    exploitTime: string;
    /** Shell path relative to the tree root, `/`-separated. */
    shellPath: string;
    shellUrl: string;
    shellPassword: string;
    lsassDump: string;
    archive: string;
    /** Every web-shell file and compiled shell artefact planted (paths relative to the tree root). */
    webShells?: string[];
  };
  indicators: PlantedIndicator[];
  /** Scenario `flood`: the floods, counted (bounded whatever their size). */
  floods?: FloodSummary[];
  logs: {
    httpProxy: LogSpan;
    ecpServer: LogSpan;
    oabGenerator: LogSpan;
    iisFrontEnd: LogSpan;
    iisBackEnd: LogSpan;
    httpErr: LogSpan;
  };
  totals: { files: number; bytes: number };
}

/** Writes the ground truth as pretty JSON (for the CLI's `--truth FILE`). Never written into the tree. */
export async function writeTruth(truth: SimulationTruth, file: string): Promise<void> {
  await writeFile(file, JSON.stringify(truth, null, 2) + '\n', 'utf8');
}
