// The demo catalogue (data/catalog.ini) the portal under test serves:
// the [brand] (chamber, site, support, the CA's documents), the offices
// and the tariff, read apart from the portal's src/domain/catalog.c so
// that the tests expect what the file says, in each language (Serbian
// Cyrillic is the Serbian value transliterated, as the portal does at
// load).
import fs from 'node:fs';
import path from 'node:path';

import { toCyrillic } from './cyrillic.js';
import { ROOT } from './env.js';
import { CYRILLIC, t } from './messages.js';

let sections = null;

/* The sections of data/catalog.ini as {'brand': {...}, 'office NS': {...}}. */
export function catalog() {
	if (sections !== null)
		return sections;
	sections = {};
	let cur = null;
	let last = null;
	for (const line of fs.readFileSync(path.join(ROOT, 'data', 'catalog.ini'), 'utf8').split('\n')) {
		const m = /^\[(.+)\]\s*$/.exec(line);
		if (m) {
			cur = sections[m[1]] = {};
			continue;
		}
		if (cur === null || /^\s*(#|$)/.test(line))
			continue;
		if (/^\s/.test(line) && last !== null) {
			cur[last] += ` ${line.trim()}`;
			continue;
		}
		const eq = line.indexOf('=');
		if (eq > 0) {
			last = line.slice(0, eq).trim();
			cur[last] = line.slice(eq + 1).trim();
		}
	}
	return sections;
}

/* A section's value `key` in `lang`: key_sr / key_en when the file has
 * them (Cyrillic from key_sr), else the one value for every language. */
export function value(section, key, lang) {
	const s = catalog()[section];
	if (s === undefined)
		throw new Error(`data/catalog.ini has no [${section}]`);
	const v = s[`${key}_${lang === 'en' ? 'en' : 'sr'}`] ?? s[key];
	if (v === undefined)
		throw new Error(`data/catalog.ini [${section}] has no ${key}`);
	return lang === CYRILLIC ? toCyrillic(v) : v;
}

/* The [brand] value `key` in `lang`. */
export function brand(key, lang) {
	return value('brand', key, lang);
}

/* The catalogue text `key` in `lang` with {brand.X} filled in from the
 * catalogue and each {name} of `values`, as a person reads it. */
export function text(lang, key, values = {}) {
	return t(lang, key)
		.replace(/\{brand\.([a-z_]+)\}/g, (_m, k) => brand(k, lang))
		.replace(/\{([a-z_]+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

/* A RegExp matching the whole text `key` in `lang` (brand filled in)
 * with any value where a placeholder is left. */
export function pattern(lang, key, values = {}) {
	const parts = text(lang, key, values).split(/\{[a-z_.]+\}/);
	return new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?')}$`, 's');
}

/* The tariff: [{code, years, price (para without VAT)}]. */
export function tariffs() {
	return Object.entries(catalog()).filter(([k]) => k.startsWith('tariff '))
		.map(([k, v]) => ({ code: k.slice(7), years: Number(v.years), price: Number(v.price) }));
}
