// RFC 6238 time-based one-time codes, as a staff member's authenticator
// app computes them: HMAC-SHA1 over the 8-byte big-endian 30-second step,
// dynamic truncation (RFC 4226 5.3), six digits.
//
// The portal accepts the steps now-1..now+1, each at most once per
// account and only newer than the last one it accepted.  An Authenticator
// remembers its last step and hands out the next usable code, waiting
// for the clock when the next step would lie beyond now+1.
import crypto from 'node:crypto';

export const PERIOD = 30;

/* RFC 4648 base32 (upper case, padding optional) to bytes. */
export function base32Decode(text) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = 0;
	let value = 0;
	const out = [];
	for (const ch of text.toUpperCase().replace(/=+$/, '')) {
		const i = alphabet.indexOf(ch);
		if (i < 0)
			throw new Error(`not base32: ${text}`);
		value = (value << 5) | i;
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

/* The code of one step for a base32 secret. */
export function totpAt(secret, step) {
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(step));
	const mac = crypto.createHmac('sha1', base32Decode(secret)).update(msg).digest();
	const off = mac[mac.length - 1] & 0x0f;
	const bin = (mac.readUInt32BE(off) & 0x7fffffff) % 1000000;
	return String(bin).padStart(6, '0');
}

export const stepNow = () => Math.floor(Date.now() / 1000 / PERIOD);

/* The secret of an otpauth://totp/...?secret=BASE32 URI. */
export function secretOf(uri) {
	const u = new URL(uri);
	assertTotpUri(u);
	return u.searchParams.get('secret');
}

function assertTotpUri(u) {
	if (u.protocol !== 'otpauth:' || u.host !== 'totp' || !u.searchParams.get('secret'))
		throw new Error(`not a TOTP provisioning URI: ${u.href}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Authenticator {
	constructor(secret) {
		this.secret = secret;
		this.lastStep = 0;
	}

	/* The code of the last step handed out (to try a replay). */
	get lastCode() {
		return totpAt(this.secret, this.lastStep);
	}

	/* The next code the portal accepts: the current step, or the one
	 * after the last used; when that is beyond now+1, waits until it
	 * is within the window (with a second's margin for the clocks). */
	async next() {
		let step = Math.max(stepNow(), this.lastStep + 1);
		while (step > stepNow() + 1) {
			const nextBoundary = (stepNow() + 1) * PERIOD * 1000;
			await sleep(nextBoundary - Date.now() + 1000);
			step = Math.max(stepNow(), this.lastStep + 1);
		}
		this.lastStep = step;
		return totpAt(this.secret, step);
	}
}
