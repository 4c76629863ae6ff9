import { readAsset } from '../../assets.js';

interface PlaceSpec {
  id: PlaceId;
  label: string;
  shippedPages: string[];
}

interface WebFilesFile {
  scriptExtensions: string[];
  places: PlaceSpec[];
  campaignNames: { names: string[]; posingAs: Record<string, string> };
}

/** Folders where Exchange web shells were dropped, each with what Exchange ships there. */
export type PlaceId = 'aspnet_client' | 'owa-auth' | 'ecp-auth' | 'oab' | 'wwwroot';

/** data/exchange-web-files.json, indexed by lower-case name. */
export interface WebKnowledge {
  scriptExtensions: Set<string>;
  shipped: Map<PlaceId, Set<string>>;
  labels: Map<PlaceId, string>;
  campaignNames: Set<string>;
  /** Lower-case campaign name → the shipped page it imitates (real casing). */
  posingAs: Map<string, string>;
}

let cached: WebKnowledge | undefined;

export function webKnowledge(): WebKnowledge {
  if (cached) return cached;
  const f = JSON.parse(readAsset('data/exchange-web-files.json')) as WebFilesFile;
  cached = {
    scriptExtensions: new Set(f.scriptExtensions.map((e) => e.toLowerCase())),
    shipped: new Map(f.places.map((p) => [p.id, new Set(p.shippedPages.map((n) => n.toLowerCase()))])),
    labels: new Map(f.places.map((p) => [p.id, p.label])),
    campaignNames: new Set(f.campaignNames.names.map((n) => n.toLowerCase())),
    posingAs: new Map(Object.entries(f.campaignNames.posingAs).map(([k, v]) => [k.toLowerCase(), v])),
  };
  return cached;
}
