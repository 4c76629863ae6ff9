/**
 * Libraries that only some scans need, loaded on first use (`require` of their CommonJS builds): a scan of
 * folder evidence whose rules come from the build's cache never parses YAML or ZIP, the hunt workers never
 * parse XML, and each skips ~25–35 ms of module loading per thread.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type * as FastXml from 'fast-xml-parser';
import type Yauzl from 'yauzl';

const load = createRequire(import.meta.url);
let yaml: typeof Yaml | undefined;
let xml: typeof FastXml | undefined;
let zip: typeof Yauzl | undefined;

export const yamlLib = (): typeof Yaml => (yaml ??= load('yaml') as typeof Yaml);
export const xmlLib = (): typeof FastXml => (xml ??= load('fast-xml-parser') as typeof FastXml);
export const zipLib = (): typeof Yauzl => (zip ??= load('yauzl') as typeof Yauzl);
