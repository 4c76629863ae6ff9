import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { EvidenceSource } from './evidence/source.js';
import { readEntry } from './evidence/zip-source.js';
import type { Manifest } from './collect/manifest.js';
import { discover, type Discovery } from './evidence/discovery.js';
import type { ChosenBuild, RegistryFacts } from './detect/config/hostState.js';
import type { MitigationVerification } from './detect/config/verify.js';
import { EvtxCoverageTracker } from './detect/evtx-coverage.js';
import { CoverageBuilder, type Coverage } from './evidence/coverage.js';
import type { FindingCollector } from './detect/collector.js';
import { evaluate } from './detect/hunt.js';
import { HuntPool } from './detect/pool.js';
import { logsourceFor } from './detect/source-fields.js';
import { BuildHistory, type BuildObservation } from './correlate/build-history.js';
import type { Verdict } from './correlate/verdicts.js';
import type { BuildReport } from './detect/build/index.js';
import type { Incident, ScanningActivity } from './correlate/incidents.js';
import { loadProjectRules } from './detect/rule-pack.js';
import type { WebFileStats } from './detect/files/index.js';
import { prepareFileScan } from './detect/files/hash-db.js';
import type * as Later from './scan-later.js';
import { defaultWorkers } from './detect/pool.js';
import type { Finding } from './model/finding.js';
import { VERSION } from './version.js';
import { readLog } from './readers/index.js';

export interface ScanOptions {
  /** Only hits in [since, until] count; verdict windows are clipped to it. */
  since?: Date;
  until?: Date;
  /** Extra rule folders (Sigma YAML) loaded next to the project's own rules. */
  extraRules?: string[];
  /** Users' YARA rule folders for the web-file scan (`--yara DIR`), next to the project's own rules. */
  yara?: string[];
  /** Users' known-bad hash lists (`--hashes FILE`), next to data/known-bad-hashes.json. */
  hashes?: string[];
  maxRecordBytes?: number;
  /** Evaluate every record without the literal pre-filter (slow; for verification). */
  noPrefilter?: boolean;
  /** Worker threads for log files (default: the machine's cores, at most 8; 1 = this thread only). */
  workers?: number;
  onProgress?: (p: ScanProgress) => void;
}

export interface ScanProgress {
  phase: 'discover' | 'logs' | 'files' | 'verdicts';
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  current?: string;
}

export interface Exposure {
  build: string;
  product?: string;
  cu?: string;
  su?: string | null;
  knowledgeDate: string;
  /** Where the judged build came from; an installed SU record can raise it (`installedUpdate`). */
  source?: ChosenBuild['source'];
  installedUpdate?: ChosenBuild['installedUpdate'];
  families: Record<string, { status: string; fixedBy?: { build: string; cu: string; su: string | null; kb: string | null; cuUpgrade: boolean }; reason: string }>;
}

/** The latest build's exposure per family: vulnerable with no evidence is not clean. */
function exposureOf(L: typeof Later, build: string | undefined): Exposure | undefined {
  if (!build) return undefined;
  let r: BuildReport;
  try {
    r = L.buildReport(build);
  } catch {
    return undefined;
  }
  const families: Exposure['families'] = {};
  for (const [id, f] of Object.entries(r.families)) {
    families[id] = { status: f.status, reason: f.reason, ...(f.fixedBy ? { fixedBy: { build: f.fixedBy.build, cu: f.fixedBy.cu, su: f.fixedBy.su, kb: f.fixedBy.kb, cuUpgrade: f.fixedBy.cuUpgrade } } : {}) };
  }
  return { build, ...(r.productName ? { product: r.productName } : {}), ...(r.cu ? { cu: r.cu } : {}), ...(r.su !== undefined ? { su: r.su } : {}), knowledgeDate: r.knowledgeDate, families };
}

export interface ScanResult {
  tool: {
    name: 'exhunt';
    version: string;
    rulePack: { hash: string; rules: number; files: number; issues: Array<{ file: string; ruleId?: string; message: string }> };
    knowledge: { builds: string; families: string };
    options: { since?: string; until?: string; extraRules: string[]; maxRecordBytes: number };
    startedAt: string;
    finishedAt: string;
    durationMs: number;
  };
  host: {
    name?: string;
    evidence: { path: string; layout: Discovery['layout']; archive?: ArchiveEvidence };
    exchange: {
      installPath?: string;
      installPathAssumed: boolean;
      builds: Array<{ build: string; firstSeen: string; lastSeen: string; source: string }>;
      /** The installed build from `Bin\\ExSetup.exe`'s version resource (what HealthChecker reads), if present. */
      exSetup?: { version: string; path: string; modified: string };
      /** What the installed build (ExSetup.exe, else the latest build in the logs) the evidence shows is exposed to (build knowledge of `knowledgeDate`). */
      exposure?: Exposure;
      /** The SOFTWARE hive's Setup key and installed-update records. */
      registry?: RegistryFacts;
      /** URL Rewrite mitigation status per family, from applicationHost.config / web.config files. */
      mitigations?: MitigationVerification;
    };
  };
  verdicts: Record<string, Verdict>;
  findings: Finding[];
  coverage: Coverage;
  stats: { logFiles: number; logBytes: number; records: number; filesInventoried: number; webFiles?: WebFileStats };
  /** Findings grouped into intrusions (docs/output.md, incidents[]). */
  incidents: Incident[];
  /** IPs that only probed: no incident (docs/output.md). */
  scanning: ScanningActivity | null;
  nextSteps: string[];
}

/** Scan an evidence path. Never prints; reports progress through the callback. */
export async function scan(path: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const started = Date.now();
  const src = await EvidenceSource.open(path);
  // A collected archive is hashed while it is scanned: the report states what exactly was examined.
  const archiveInfo = src.archive
    ? describeArchive(src).catch((err: Error): ArchiveEvidence => ({ problem: `archive not hashed: ${err.message.slice(0, 300)}` }))
    : undefined;
  // The rules load in a later microtask, so the worker threads below start booting first (they get the rules when ready).
  const packLoading = Promise.resolve().then(() => loadProjectRules(opts.extraRules ?? []));
  const progress = opts.onProgress ?? (() => {});
  // Bytes read so far inside files still being read, per job: progress moves within a 4 GB log too.
  const partial = new Map<number, number>();
  let partialSum = 0;
  let bytesDone = 0;
  let filesDone = 0;
  let filesTotal = 0;
  let bytesTotal = 0;
  // Workers start now: they load their modules while this thread loads the rules, and build theirs while discovery lists the evidence.
  const pool = new HuntPool(packLoading, {
    workers: opts.workers,
    onBytes: (id, delta) => {
      partial.set(id, (partial.get(id) ?? 0) + delta);
      partialSum += delta;
      progress({ phase: 'logs', filesDone, filesTotal, bytesDone: bytesDone + partialSum, bytesTotal });
    },
  });
  let pack: Awaited<typeof packLoading>;
  let hashDb: ReturnType<typeof prepareFileScan>;
  let d: Discovery;
  try {
    progress({ phase: 'discover', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 });
    // Discovery waits on the file system while the rules parse: both at once.
    const discovering = discover(src);
    discovering.catch(() => undefined); // awaited below, after the rules
    pack = await packLoading;
    hashDb = prepareFileScan(opts.hashes ?? [], opts.yara ?? []);
    d = await discovering;
  } catch (err) {
    await pool.close();
    throw err;
  }
  filesTotal = d.logs.length;

  const coverage = new CoverageBuilder();
  for (const p of d.problems) coverage.problems.push(p);
  // Archive entries refused as unsafe or corrupted (zip-slip names, duplicates, bombs): counted, not read.
  for (const p of src.problems) coverage.problems.push(p);
  for (const m of d.missing) coverage.missing.push(m);
  const builds = new BuildHistory();
  const evtxCoverage = new EvtxCoverageTracker();
  const since = opts.since?.getTime();
  const until = opts.until?.getTime();
  const huntOpts = { ruleContext: d.installPath ? { installPath: d.installPath } : {}, since, until, maxRecordBytes: opts.maxRecordBytes, noPrefilter: opts.noPrefilter };

  bytesTotal = d.logs.reduce((n, l) => n + l.size, 0);
  // Web shells: every web root, read after the log hunt (run beside it, the YARA worker's ~60 MB took the
  // peak past 300 MB for ~0.4 s saved on 2 GB; measured), beside the main thread's reading of the host's facts.
  const fileScanRequest = (L: typeof Later) => L.runFileScan(src, {
    roots: d.webRoots, yaraDirs: opts.yara ?? [], hashes: hashDb, workers: opts.workers ?? defaultWorkers(),
    // A bare folder: structured logs are not web files (their URLs would match content rules); plain text may be a renamed shell.
    ...(d.layout === 'log-folder' ? { skip: new Set(d.logs.filter((l) => l.kind !== 'text').map((l) => l.rel)) } : {}),
    ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}),
    onProgress: (p) => progress({ phase: 'files', filesDone: d.logs.length, filesTotal: d.logs.length, bytesDone, bytesTotal, current: p.current }),
  });
  let records = 0;
  let collector: FindingCollector;
  let laterLoading: Promise<typeof Later> | undefined;
  try {
    // Largest files first: the pool stays balanced to the end. A bounded number of files in flight
    // keeps memory flat for trees of 100,000s of files.
    const logs = d.logs;
    const order = Uint32Array.from(logs.keys()).sort((a, b) => logs[b]!.size - logs[a]!.size);
    // Small files travel in batches (up to 64 files or 8 MiB): one message per batch, not per file.
    const batches: Uint32Array[] = [];
    for (let k = 0; k < order.length; ) {
      const from = k;
      let bytes = logs[order[k++]!]!.size;
      while (k < order.length && k - from < 64 && bytes + logs[order[k]!]!.size <= 8 << 20) bytes += logs[order[k++]!]!.size;
      batches.push(order.subarray(from, k));
    }
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const jobs = Array.from(batch, (i) => {
          const ref = logs[i]!;
          return { id: i, ...src.readInput(ref.rel), display: src.kind === 'file' ? src.fileName : ref.rel, kind: ref.kind, ...(ref.verify ? { verify: true } : {}) };
        });
        const results = await pool.run(jobs, huntOpts);
        results.forEach((res, k) => {
          const i = batch[k]!;
          const ref = logs[i]!;
          const display = jobs[k]!.display;
          bytesDone += ref.size;
          partialSum -= partial.get(i) ?? 0;
          partial.delete(i);
          filesDone++;
          if (res.error !== undefined) {
            coverage.skipFile(ref.group, ref.kind, display, res.error);
            return;
          }
          coverage.addFile(ref.group, ref.kind, ref.size, res.stats);
          if (ref.kind === 'evtx') evtxCoverage.add(res.stats);
          records += res.stats.records;
          if (ref.kind === 'httpproxy') builds.observe(res.stats.version, res.stats.firstTime, res.stats.lastTime, `${display} #Version`);
        });
        progress({ phase: 'logs', filesDone, filesTotal: d.logs.length, bytesDone, bytesTotal, current: jobs[jobs.length - 1]!.display });
      }
    };
    const hunting = Promise.all(Array.from({ length: Math.max(1, pool.size * 4) }, lane));
    // What comes after the hunt loads now, while the workers read.
    laterLoading = import('./scan-later.js');
    laterLoading.catch(() => undefined); // awaited below
    await hunting;
    collector = await pool.finish();
  } finally {
    await pool.close();
  }

  const L = await (laterLoading ?? import('./scan-later.js'));
  // The web files are read (by their own workers, building YARA rules meanwhile) while this thread reads the host's facts.
  const fileScanning = fileScanRequest(L);
  fileScanning.catch(() => undefined); // awaited below
  const hostName = await probeHostName(src, d);
  const exSetup = await readExSetup(L, src, d, coverage);
  const registry = await L.readRegistryFacts(src, d, (p, reason) => coverage.problems.push({ path: p, reason }));
  const mitigations = await L.verifyHostMitigations(src, d);
  let filesInventoried = 0;
  const fileRules = pack.forLogsource(logsourceFor('file'));
  progress({ phase: 'files', filesDone: d.logs.length, filesTotal: d.logs.length, bytesDone, bytesTotal });
  for await (const rec of L.inventory(src, d.inventoryRoots, (p, r) => coverage.problems.push({ path: p, reason: r }))) {
    filesInventoried++;
    evaluate(fileRules, rec, undefined, { path: rec.entry.rel }, 'file', { ruleContext: huntOpts.ruleContext }, collector);
  }
  const fileScan = await fileScanning;
  for (const p of fileScan?.problems ?? []) coverage.problems.push(p);

  progress({ phase: 'verdicts', filesDone: d.logs.length, filesTotal: d.logs.length, bytesDone, bytesTotal });
  const findings = L.withFileFindings(collector.findings(), fileScan);
  const cov = coverage.build();
  if (fileScan?.notes.length) (cov.notes ??= []).push(...fileScan.notes);
  const processCreation = evtxCoverage.processCreation();
  if (processCreation) {
    cov.processCreation = processCreation;
    if (processCreation.status === 'not-audited') (cov.notes ??= []).push(processCreation.note);
  }
  const buildList: BuildObservation[] = builds.list();
  const verdicts: Record<string, Verdict> = {};
  for (const f of L.FAMILIES) verdicts[f.id] = L.decideVerdict(f, { findings, coverage: cov, builds: buildList, since, until });
  if (verdicts['proxylogon']) verdicts['proxylogon'].reasons.push(...L.umCheckReasons(buildList, evtxCoverage));
  L.addWindowFindings(findings, fileScan, verdicts, Object.fromEntries(L.FAMILIES.map((f) => [f.id, f.name])));
  L.attributeUnclaimed(findings, verdicts);
  L.applyRaises(findings, verdicts);
  const correlation = L.correlateIncidents({ findings, verdicts, ...(cov.evidenceEnd ? { evidenceEnd: cov.evidenceEnd } : {}) });

  const chosen = L.chooseBuild(exSetup?.version, registry, buildList[buildList.length - 1]?.build);
  const exposure = chosen ? exposureOf(L, chosen.build) : undefined;
  if (exposure && chosen) Object.assign(exposure, { source: chosen.source, ...(chosen.installedUpdate ? { installedUpdate: chosen.installedUpdate } : {}) });
  L.annotateWithExposure(mitigations, exposure);

  const finished = Date.now();
  const result: ScanResult = {
    tool: {
      name: 'exhunt',
      version: VERSION,
      rulePack: { hash: pack.hash, rules: pack.ruleCount, files: pack.files, issues: pack.issues },
      knowledge: { builds: L.buildKnowledgeDate(), families: L.FAMILIES.map((f) => `${f.id} window from ${f.windowStart.slice(0, 10)}`).join('; ') },
      options: {
        ...(opts.since ? { since: opts.since.toISOString() } : {}),
        ...(opts.until ? { until: opts.until.toISOString() } : {}),
        extraRules: opts.extraRules ?? [],
        maxRecordBytes: opts.maxRecordBytes ?? 1 << 20,
      },
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
    },
    host: {
      ...(hostName ? { name: hostName } : {}),
      evidence: { path, layout: d.layout, ...(archiveInfo ? { archive: await archiveInfo } : {}) },
      exchange: {
        ...(d.installPath ? { installPath: d.installPath } : {}),
        installPathAssumed: d.installPathAssumed,
        builds: buildList.map((b) => ({ build: b.build, firstSeen: new Date(b.firstSeenMs).toISOString(), lastSeen: new Date(b.lastSeenMs).toISOString(), source: b.source })),
        ...(exSetup ? { exSetup } : {}),
        ...(exposure ? { exposure } : {}),
        ...(registry ? { registry } : {}),
        ...(mitigations.files.length ? { mitigations } : {}),
      },
    },
    verdicts,
    findings,
    coverage: cov,
    stats: { logFiles: d.logs.length, logBytes: bytesTotal, records, filesInventoried, ...(fileScan ? { webFiles: fileScan.stats } : {}) },
    incidents: correlation.incidents,
    scanning: correlation.scanning,
    nextSteps: [],
  };
  result.nextSteps = L.nextSteps(result);
  return result;
}

/**
 * The server's name as its own logs write it: `ServerHostName` of the first HttpProxy record, else the
 * ECP `ServerName`. Reads only the head of one file.
 */
async function probeHostName(src: EvidenceSource, d: Discovery): Promise<string | undefined> {
  for (const [kind, field] of [
    ['httpproxy', 'ServerHostName'],
    ['ecp-server', 'ServerName'],
  ] as const) {
    const ref = d.logs.find((l) => l.kind === kind);
    if (!ref) continue;
    let name: string | undefined;
    try {
      const head = await src.head(ref.rel, 256 * 1024);
      await readLog(oneChunk(head), {
        kind,
        onRecord: (r) => {
          const v = r.get(field);
          if (!name && typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(v)) name = v;
        },
      });
    } catch {
      continue;
    }
    if (name) return name;
  }
  return undefined;
}

/** `<install>\\Bin\\ExSetup.exe` file version: the build installed when the evidence was taken. */
async function readExSetup(L: typeof Later, src: EvidenceSource, d: Discovery, coverage: CoverageBuilder): Promise<{ version: string; path: string; modified: string } | undefined> {
  if (d.installRel === undefined) return undefined;
  const rel = await src.resolve(d.installRel ? `${d.installRel}/Bin/ExSetup.exe` : 'Bin/ExSetup.exe');
  if (rel === null) return undefined;
  const info = await src.info(rel);
  // Inside an archive the PE is read into memory (bounded like the file path: PE_MAX_FILE_BYTES).
  let r: ReturnType<typeof L.readPeFileVersion>;
  try {
    r = L.readPeFileVersion(src.archive ? await src.readAll(rel, L.PE_MAX_FILE_BYTES) : src.absolute(rel));
  } catch (err) {
    r = { ok: false, code: 'E_PE_IO', error: (err as Error).message };
  }
  if (!r.ok) {
    coverage.problems.push({ path: rel, reason: `ExSetup.exe version not readable: ${r.error}` });
    return undefined;
  }
  return { version: r.fileVersion, path: rel, modified: info ? new Date(info.mtimeMs).toISOString() : '' };
}

async function* oneChunk(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

/** A collected archive as evidence: its own hash, the hash written beside it, and the collection's record. */
export interface ArchiveEvidence {
  sha256?: string;
  size?: number;
  /** Why the archive itself could not be hashed (its entries are still scanned). */
  problem?: string;
  /** The value in `<archive>.sha256` (written by `exhunt collect`), and whether it equals `sha256`. */
  sidecar?: { sha256: string; matches: boolean };
  /** From the manifest inside the archive (`exhunt collect`): case fields, who collected what, when. */
  collection?: Pick<Manifest, 'case' | 'collector' | 'source' | 'startedAt' | 'finishedAt' | 'totals'>;
  /** Why the manifest could not be read, when the archive has one that is not usable. */
  manifestProblem?: string;
}

async function describeArchive(src: EvidenceSource): Promise<ArchiveEvidence> {
  const file = src.root;
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const sha256 = hash.digest('hex');
  const out: ArchiveEvidence = { sha256, size };
  try {
    const line = (await readFile(`${file}.sha256`, 'utf8')).slice(0, 4096).trim().split(/\s+/)[0] ?? '';
    if (/^[0-9a-f]{64}$/i.test(line)) out.sidecar = { sha256: line.toLowerCase(), matches: line.toLowerCase() === sha256 };
  } catch {
    // no sidecar: nothing to compare with
  }
  // The manifest folder is metadata, not evidence: it is read from the archive's index, not the tree.
  const ref = src.archive?.manifestRef;
  if (ref) {
    try {
      const m = JSON.parse((await readEntry(ref, 256 << 20)).toString('utf8')) as Manifest;
      out.collection = { case: m.case, collector: m.collector, source: m.source, startedAt: m.startedAt, finishedAt: m.finishedAt, totals: m.totals };
    } catch (err) {
      out.manifestProblem = (err as Error).message.slice(0, 300);
    }
  }
  return out;
}
