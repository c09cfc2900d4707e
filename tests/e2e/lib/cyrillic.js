// Serbian Latin written in Cyrillic, for the texts the tests expect in
// sr-Cyrl: the rules of src/domain/translit.h written again on their
// own (lj, nj, dž one letter; the stems where the pair is two letters;
// markup, placeholders, identifiers, foreign words, abbreviations and
// Roman numerals kept), so that a page the portal transliterated differently fails.
const LOWER = {
	a: 'а', b: 'б', c: 'ц', d: 'д', e: 'е', f: 'ф', g: 'г', h: 'х', i: 'и', j: 'ј', k: 'к',
	l: 'л', m: 'м', n: 'н', o: 'о', p: 'п', r: 'р', s: 'с', t: 'т', u: 'у', v: 'в', z: 'з',
	č: 'ч', ć: 'ћ', đ: 'ђ', š: 'ш', ž: 'ж',
};
const PAIRS = { lj: 'љ', nj: 'њ', dž: 'џ' };
const SPLIT = ['nad|živ', 'nad|žnj', 'nad|žanj', 'nad|žir', 'pod|ž', 'od|žal', 'od|živ', 'pred|žet',
	'in|jek', 'in|junk', 'kon|jug', 'kon|junk', 'kon|jekt', 'van|jez', 'tan|jug'];
const LATIN_WORDS = new Set(['CA', 'CRL', 'CSV', 'DER', 'HTML', 'ID', 'ISO', 'OCSP', 'PDF', 'PEM',
	'PKI', 'PUK', 'RSD', 'SMS', 'SVG', 'TLS', 'URL', 'USB', 'UTC', 'XML']);
const BOUNDARY = /[ \t\n\r<>"'()[\]{}]/;
const LETTER = /[a-zA-ZčćđšžČĆĐŠŽ]/;

const PRODUCT_NAMES = ['Adobe', 'Acrobat', 'Reader'];

function keepToken(tok) {
	if (/^www\./i.test(tok) || /[0-9@qwxyQWXY]/.test(tok) || tok.includes('://') || /[a-z][A-Z]/.test(tok))
		return true;
	const e = tok.replace(/[.,;:!?)]+$/, '');
	if (/^\.[a-zA-Z]{2,5}$/.test(e) || PRODUCT_NAMES.includes(e))
		return true;
	const t = tok.replace(/[.,;:!?]+$/, '');
	const dot = t.lastIndexOf('.');
	return dot > 0 && /^[a-zA-Z]{2,6}$/.test(t.slice(dot + 1));
}

/* Roman numerals stay Latin ("Краља Петра I"): a canonical numeral as a
 * whole word; alone, only I, V or X, and not as an initial ("V. Jović"),
 * the sentence's first "I" or an "I" between words in capitals. */
function romanValid(w) {
	const val = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };
	let v = 0;
	for (let i = 0; i < w.length; i++)
		v += val[w[i]] < (val[w[i + 1]] ?? 0) ? -val[w[i]] : val[w[i]];
	if (v <= 0 || v > 3999)
		return false;
	let canon = '';
	for (const [n, r] of [[1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'],
		[50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']])
		for (; v >= n; v -= n)
			canon += r;
	return canon === w;
}

function isRoman(w) {
	return /^[IVXLCDM]+$/.test(w) && romanValid(w) && (w.length > 1 || 'IVX'.includes(w));
}

function capsWord(s) {
	const w = /^[^ \t\n\r<>"'()[\]{}.,;:!?]*/.exec(s)[0];
	return w.length >= 2 && /[A-Z]/.test(w) && [...w].every((c) => /[A-Z]/.test(c) || c.charCodeAt(0) >= 0x80);
}

function romanLength(s, i) {
	const w = /^[IVXLCDM]+/.exec(s.slice(i))?.[0] ?? '';
	if (!w || /[a-zA-Z\u0080-\uffff]/.test(s[i + w.length] ?? '') || !isRoman(w))
		return 0;
	if (w.length > 1)
		return w.length;
	if (s[i + 1] === '.')
		return 0;
	let b = i;
	while (b > 0 && /[ \t]/.test(s[b - 1]))
		b--;
	if (w === 'I' && (b === 0 || /[.!?\n\r]/.test(s[b - 1])))
		return 0;
	let a = i + 1;
	while (a < s.length && /[ \t]/.test(s[a]))
		a++;
	if (b < i && a > i + 1 && a < s.length && capsWord(s.slice(a))) {
		let w0 = b;
		while (w0 > 0 && !BOUNDARY.test(s[w0 - 1]))
			w0--;
		if (capsWord(s.slice(w0, b)))
			return 0;
	}
	return 1;
}

function markupLength(s, i) {
	let m;
	if (s[i] === '<' && /[a-zA-Z/!?]/.test(s[i + 1] ?? '')) {
		const e = s.indexOf('>', i);
		return e < 0 ? s.length - i : e + 1 - i;
	}
	if (s[i] === '&' && (m = /^&[a-zA-Z0-9#]{1,32};/.exec(s.slice(i, i + 35))))
		return m[0].length;
	if (s[i] === '{') {
		let e = s.indexOf('}', i);
		if (e < 0)
			return 0;
		while (s[e + 1] === '}')
			e++;
		return e + 1 - i;
	}
	return 0;
}

function cyrLetter(ch) {
	const lower = ch.toLowerCase();
	const c = LOWER[lower];
	if (c === undefined)
		return ch;
	return ch === lower ? c : c.toUpperCase();
}

export function toCyrillic(s) {
	let out = '';
	let i = 0;
	let wordStart = -1;
	let split = -1;
	while (i < s.length) {
		const k = markupLength(s, i);
		if (k > 0) {
			out += s.slice(i, i + k);
			i += k;
			wordStart = -1;
			continue;
		}
		if (i === 0 || BOUNDARY.test(s[i - 1])) {
			let e = i;
			while (e < s.length && !BOUNDARY.test(s[e]))
				e++;
			if (e > i && keepToken(s.slice(i, e))) {
				out += s.slice(i, e);
				i = e;
				wordStart = -1;
				continue;
			}
		}
		if (!LETTER.test(s[i])) {
			out += s[i++];
			wordStart = -1;
			continue;
		}
		if (wordStart < 0) {
			const w = /^[A-Z]+/.exec(s.slice(i))?.[0] ?? '';
			if (w.length >= 2 && LATIN_WORDS.has(w) && !/[a-zA-Z\u0080-\uffff]/.test(s[i + w.length] ?? '')) {
				out += w;
				i += w.length;
				continue;
			}
			const r = romanLength(s, i);
			if (r > 0) {
				out += s.slice(i, i + r);
				i += r;
				continue;
			}
			wordStart = i;
			const lower = s.slice(i).toLowerCase();
			const stem = SPLIT.find((st) => lower.startsWith(st.replace('|', '')));
			split = stem ? i + stem.indexOf('|') : -1;
		}
		const pair = PAIRS[s.slice(i, i + 2).toLowerCase()];
		if (pair && i + 1 !== split) {
			out += s[i] === s[i].toLowerCase() ? pair : pair.toUpperCase();
			i += 2;
			continue;
		}
		out += cyrLetter(s[i++]);
	}
	return out;
}

/* The words of `text` still in Latin letters once `kept` (texts allowed
 * as written: what the member typed, say) are taken out: none is left on
 * a Cyrillic page or document but the identifiers point 8 keeps (e-mail
 * addresses, URLs, domains, anything holding a digit, q/w/x/y words,
 * camelCase) and the foreign abbreviations (PDF, RSD, ...). */
export function latinWords(text, kept = []) {
	let rest = text.replace(/\s+/g, ' ');
	for (const k of kept.filter(Boolean).sort((a, b) => b.length - a.length))
		rest = rest.split(k.replace(/\s+/g, ' ')).join(' ');
	return rest.split(/[\s()[\]{}<>"'«»„“”,;·]+/).filter((w) => /[a-zA-ZčćđšžČĆĐŠŽ]/.test(w))
		.filter((w) => !keepToken(w) && !LATIN_WORDS.has(w.replace(/[.,;:!?]+$/, '')) &&
			!isRoman(w.replace(/[.,;:!?]+$/, '')));
}
