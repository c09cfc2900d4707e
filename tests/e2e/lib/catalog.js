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

/* The form a noun takes after count n, from forms "one|few|many"
 * (Serbian) or "one|other" (English), as core/i18n.c plural_put chooses
 * it; in Cyrillic on the Cyrillic page. */
function plural(lang, n, forms) {
	const f = forms.split('|');
	let i;
	if (!/^[0-9]+$/.test(String(n)))
		i = 2;
	else if (lang === 'en')
		i = Number(n) === 1 ? 0 : 1;
	else if (n % 10 === 1 && n % 100 !== 11)
		i = 0;
	else if (n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14))
		i = 1;
	else
		i = 2;
	const form = f[Math.min(i, f.length - 1)];
	return lang === CYRILLIC ? toCyrillic(form) : form;
}

/* The catalogue text `key` in `lang` with {brand.X} filled in from the
 * catalogue, each {name} of `values` and each {name|one|few|many} by
 * its count, as a person reads it. */
export function text(lang, key, values = {}) {
	return t(lang, key)
		.replace(/\{brand\.([a-z_]+)\}/g, (_m, k) => brand(k, lang))
		.replace(/\{([a-z_]+)\|([^{}]*)\}/g, (m, k, forms) => (k in values ? plural(lang, values[k], forms) : m))
		.replace(/\{([a-z_]+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

/* A RegExp matching the whole text `key` in `lang` (brand filled in)
 * with any value where a placeholder is left. */
export function pattern(lang, key, values = {}) {
	const parts = text(lang, key, values).split(/\{[a-z_.]+(?:\|[^{}]*)?\}/);
	return new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?')}$`, 's');
}

/* The tariff: [{code, years, price (para without VAT)}]. */
export function tariffs() {
	return Object.entries(catalog()).filter(([k]) => k.startsWith('tariff '))
		.map(([k, v]) => ({ code: k.slice(7), years: Number(v.years), price: Number(v.price) }));
}
