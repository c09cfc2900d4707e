// The portal's own texts (messages/<lang>.txt, "key = text"), so that the
// tests check what a person reads in each language without copying it.
import fs from 'node:fs';
import path from 'node:path';

import { toCyrillic } from './cyrillic.js';
import { ROOT } from './env.js';

/* The languages every suite runs in; Serbian Cyrillic (CYRILLIC) is the
 * Latin catalogue transliterated, and has journeys of its own
 * (cyrillic.test.js, and matrix.test.js with all three) rather than
 * tripling every suite. */
export const LANGS = ['sr', 'en'];
export const CYRILLIC = 'sr-Cyrl';

const catalogs = {};

function load(lang) {
	if (lang === CYRILLIC)
		return Object.fromEntries(Object.entries(load('sr')).map(([k, v]) => [k, toCyrillic(v)]));
	const out = {};
	const text = fs.readFileSync(path.join(ROOT, 'messages', `${lang}.txt`), 'utf8');
	for (const line of text.split('\n')) {
		if (/^\s*(#|$)/.test(line))
			continue;
		const eq = line.indexOf('=');
		if (eq > 0)
			out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim().replace(/\\n/g, '\n');
	}
	return out;
}

/* The text of `key` in `lang`; a missing key is a test bug. */
export function t(lang, key) {
	catalogs[lang] ??= load(lang);
	const v = catalogs[lang][key];
	if (v === undefined)
		throw new Error(`messages/${lang}.txt has no key ${key}`);
	return v;
}
