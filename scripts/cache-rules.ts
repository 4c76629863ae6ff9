/**
 * Build step (`npm run build`): the project's rules, parsed and checked strictly (every regex compiled),
 * written as JSON with the hash of their files, so a scan skips YAML parsing (src/detect/rule-pack.ts).
 */
import { writeFileSync } from 'node:fs';
import { assetPath } from '../src/assets.js';
import { ownRuleSources, sourcesHash, RULE_CACHE, type RuleCache } from '../src/detect/rule-pack.js';
import { RuleSet } from '../src/rules/index.js';

const own = await ownRuleSources();
const set = RuleSet.fromSources(own, { strict: true });
const cache: RuleCache = { hash: sourcesHash(own), docs: [...set.docs] };
writeFileSync(assetPath(RULE_CACHE), JSON.stringify(cache));
