import type { PlaceId } from './web-knowledge.js';

/** Where a web file sits: one of the shell places, Temporary ASP.NET Files, or another web folder. */
export interface Place {
  id: PlaceId | 'temp-aspnet' | 'web';
  /** Path components below the place's folder, the file name last (lower case). */
  below: string[];
}

/** A build-numbered resource folder of owa\auth (`15.1.2176.9`). */
export const VERSION_FOLDER = /^\d{1,2}\.\d{1,2}\.\d{1,5}\.\d{1,5}$/;

/**
 * Classify a file by its Windows path (any drive, any install folder): the place is found by the path's own
 * components, so a non-default install path or a copied folder classifies the same.
 */
export function placeOf(windowsPath: string): Place {
  const parts = windowsPath.toLowerCase().split(/[\\/]+/).filter(Boolean);
  const find = (...seq: string[]): number => {
    outer: for (let i = 0; i + seq.length <= parts.length - 1; i++) {
      for (let k = 0; k < seq.length; k++) if (parts[i + k] !== seq[k]) continue outer;
      return i + seq.length;
    }
    return -1;
  };
  let at = find('temporary asp.net files');
  if (at >= 0) return { id: 'temp-aspnet', below: parts.slice(at) };
  at = find('aspnet_client');
  if (at >= 0) return { id: 'aspnet_client', below: parts.slice(at) };
  at = find('httpproxy', 'owa', 'auth');
  if (at >= 0) return { id: 'owa-auth', below: parts.slice(at) };
  at = find('httpproxy', 'ecp', 'auth');
  if (at >= 0) return { id: 'ecp-auth', below: parts.slice(at) };
  at = find('clientaccess', 'oab');
  if (at < 0) at = find('httpproxy', 'oab');
  if (at >= 0) return { id: 'oab', below: parts.slice(at) };
  at = find('inetpub', 'wwwroot');
  if (at >= 0 && parts.length - at === 1) return { id: 'wwwroot', below: parts.slice(at) };
  return { id: 'web', below: parts.slice(-1) };
}
