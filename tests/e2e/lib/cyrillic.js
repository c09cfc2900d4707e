// Serbian Latin written in Cyrillic, for the texts the tests expect in
// sr-Cyrl: the rules of src/domain/translit.h written again on their
// own (lj, nj, dž one letter; the stems where the pair is two letters;
// markup, placeholders, identifiers, foreign words and abbreviations
// kept), so that a page the portal transliterated differently fails.
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

function keepToken(tok) {
	if (/^www\./i.test(tok) || /[0-9@qwxyQWXY]/.test(tok) || tok.includes('://') || /[a-z][A-Z]/.test(tok))
		return true;
	const t = tok.replace(/[.,;:!?]+$/, '');
	const dot = t.lastIndexOf('.');
	return dot > 0 && /^[a-zA-Z]{2,6}$/.test(t.slice(dot + 1));
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
		.filter((w) => !keepToken(w) && !LATIN_WORDS.has(w.replace(/[.,;:!?]+$/, '')));
}
