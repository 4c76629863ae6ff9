/** Remote probes of on-prem Exchange servers (`exhunt probe`): targets, HTTP, build fingerprints, checks. No printing. */
export * from './targets.js';
export * from './http.js';
export * from './fingerprint.js';
export * from './probe.js';
