// Reading the portal's outgoing mail: with mail_transport = maildir each
// message is an RFC 5322 file VAR/mail/*.eml, written by a background
// sender shortly after the request that caused it.
import fs from 'node:fs';
import path from 'node:path';

const WAIT_MS = 10000;

/* RFC 2047 encoded-words (B and Q) in a header value. */
function decodeWords(value) {
	return value
		.replace(/\?=\s+=\?/g, '?==?')
		.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, enc, text) => {
			const bytes = enc.toUpperCase() === 'B'
				? Buffer.from(text, 'base64')
				: Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g,
					(_m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
			return new TextDecoder(charset).decode(bytes);
		});
}

function decodeBody(raw, encoding) {
	switch ((encoding || '7bit').toLowerCase()) {
	case 'base64':
		return Buffer.from(raw.toString('latin1'), 'base64').toString('utf8');
	case 'quoted-printable': {
		const s = raw.toString('latin1').replace(/=\r?\n/g, '');
		return Buffer.from(s.replace(/=([0-9A-Fa-f]{2})/g,
			(_m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
	}
	default: // 7bit, 8bit: UTF-8 as it is
		return raw.toString('utf8');
	}
}

/* Parses an .eml file: {file, headers (lower-case names), subject, to, body, links}. */
export function parseMail(file) {
	const raw = fs.readFileSync(file);
	let split = raw.indexOf('\r\n\r\n');
	let sep = 4;
	if (split < 0) {
		split = raw.indexOf('\n\n');
		sep = 2;
	}
	if (split < 0)
		throw new Error(`${file}: no blank line between header and body`);
	const head = raw.subarray(0, split).toString('utf8').replace(/\r?\n[ \t]+/g, ' ');
	const headers = {};
	for (const line of head.split(/\r?\n/)) {
		const colon = line.indexOf(':');
		if (colon > 0)
			headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
	}
	const body = decodeBody(raw.subarray(split + sep), headers['content-transfer-encoding'])
		.replace(/\r\n/g, '\n');
	return {
		file,
		headers,
		subject: headers.subject || '',
		to: headers.to || '',
		body,
		links: body.match(/https?:\/\/[^\s<>"]+/g) || [],
	};
}

/* The mail folder of one portal; each message is handed out once. */
export class Mailbox {
	constructor(dir) {
		this.dir = dir;
		this.taken = new Set();
	}

	files() {
		try {
			return fs.readdirSync(this.dir).filter((f) => f.endsWith('.eml')).sort()
				.map((f) => path.join(this.dir, f));
		} catch {
			return [];
		}
	}

	/* Waits for the next message to `to` (and matching `subject`, a
	 * string or RegExp, when given); returns it parsed. */
	async next({ to, subject } = {}) {
		const deadline = Date.now() + WAIT_MS;
		for (;;) {
			for (const f of this.files()) {
				if (this.taken.has(f))
					continue;
				const m = parseMail(f);
				if (to && !m.to.toLowerCase().includes(to.toLowerCase()))
					continue;
				if (subject && !(subject instanceof RegExp ? subject.test(m.subject) : m.subject === subject))
					continue;
				this.taken.add(f);
				return m;
			}
			if (Date.now() > deadline) {
				const seen = this.files().map((f) => {
					const m = parseMail(f);
					return `  ${path.basename(f)} to ${m.to}: ${m.subject}`;
				});
				throw new Error(`no mail to ${to} with subject ${subject} within ${WAIT_MS} ms; ` +
					`mail folder ${this.dir} has:\n${seen.join('\n') || '  nothing'}`);
			}
			await new Promise((r) => setTimeout(r, 100));
		}
	}
}

/* The one link in a message whose path starts with `prefix`. */
export function linkTo(mail, prefix) {
	const found = mail.links.filter((l) => new URL(l).pathname.startsWith(prefix));
	if (found.length !== 1)
		throw new Error(`expected one ${prefix} link in ${mail.file}, found ${found.length}:\n${mail.body}`);
	return found[0];
}
