// The real CA service (`qcra ca init` + `qcra ca serve`) on free loopback
// ports, and a stack of it, a portal connected to it (connector
// "service", polled every second) and a browser, for the journeys that
// go through the Certification Authority.  Staff accounts are made with
// `qcra operator add` as an administrator would on the server.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';

import { DESKTOP, Session, launchBrowser } from './browser.js';
import { QCRA_BIN, freshDir } from './env.js';
import { Portal } from './portal.js';
import { Server, cleanEnv, freePort } from './server.js';
import { Authenticator, secretOf } from './totp.js';

const START_ATTEMPTS = 3;

export class CaService {
	constructor() {
		this.root = freshDir('ca');
		this.dir = path.join(this.root, 'ca');
		this.tlsPort = 0;
		this.server = null;
	}

	/* Creates the CA (keys, RA client certificate) for two free ports
	 * and serves it; the public port's /ca/root.crt is its health check. */
	async start() {
		let lastError = null;
		for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
			this.tlsPort = await freePort();
			const pub = await freePort();
			if (pub === this.tlsPort)
				continue;
			fs.rmSync(this.dir, { recursive: true, force: true });
			execFileSync(QCRA_BIN, ['ca', 'init', '--dir', this.dir, '--if-missing',
				'--listen', `127.0.0.1:${this.tlsPort}`, '--public-listen', `127.0.0.1:${pub}`,
				'--public-url', `http://127.0.0.1:${pub}`], {
				env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000,
			});
			this.server = new Server({
				name: 'qcra-ca',
				bin: QCRA_BIN,
				dir: this.root,
				health: '/ca/root.crt',
				argv: (port) => ['ca', 'serve', '--dir', this.dir,
					'--listen', `127.0.0.1:${this.tlsPort}`, '--public-listen', `127.0.0.1:${port}`],
			});
			this.server.port = pub;
			try {
				await this.server.startOn(pub);
				return this;
			} catch (e) {
				lastError = e;
				await this.server.stop();
			}
		}
		throw lastError;
	}

	/* The portal's settings for this CA. */
	portalEnv() {
		return {
			QCRA_CA_CONNECTOR: 'service',
			QCRA_CA_URL: `https://127.0.0.1:${this.tlsPort}`,
			QCRA_CA_CERT: path.join(this.dir, 'ra', 'ra.pem'),
			QCRA_CA_KEY: path.join(this.dir, 'ra', 'ra.key'),
			QCRA_CA_CACERT: path.join(this.dir, 'ra', 'ca.pem'),
			QCRA_CA_POLL_SECONDS: '1',
		};
	}

	async stop() {
		await this.server?.stop();
	}
}

/* The CA, a portal using it and a browser, before and after the file's
 * tests (like useStack in suite.js). */
export function useCaStack(name) {
	const stack = { ca: null, portal: null, browser: null };
	before(async () => {
		stack.ca = await new CaService().start();
		stack.portal = await new Portal({ name, env: stack.ca.portalEnv() }).start();
		stack.browser = await launchBrowser();
	});
	after(async () => {
		await stack.browser?.close();
		await stack.portal?.stop();
		await stack.ca?.stop();
	});
	return stack;
}

/* A portal on the in-process test CA (no CA service) and a browser, for
 * the journeys that need the CA to refuse on demand (Portal.testca);
 * caJourney() runs on it too. */
export function useTestCaStack(name) {
	const stack = { ca: null, portal: null, browser: null };
	before(async () => {
		stack.portal = await new Portal({ name }).start();
		stack.browser = await launchBrowser();
	});
	after(async () => {
		await stack.browser?.close();
		await stack.portal?.stop();
	});
	return stack;
}

export const STAFF_PASSWORD = 'Tri žabe skaču preko bare';

/*
 * A staff account made with `qcra operator add` in the portal's --var
 * folder: {username, password, role, office, auth} where auth is an
 * Authenticator holding the secret of the printed otpauth:// URI.
 */
export function addStaff(portal, { username, role = 'operator', office = 'NS' }) {
	const pwFile = path.join(portal.var, `${username}.password`);
	fs.writeFileSync(pwFile, `${STAFF_PASSWORD}\n`, { mode: 0o600 });
	const args = ['operator', 'add', '--username', username, '--role', role,
		'--password-file', pwFile, '--var', portal.var];
	if (office)
		args.push('--office', office);
	const out = execFileSync(QCRA_BIN, args, {
		env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000, encoding: 'utf8',
	});
	const uri = out.match(/otpauth:\/\/totp\/\S+/);
	if (uri === null)
		throw new Error(`qcra operator add printed no otpauth:// URI:\n${out}`);
	return { username, password: STAFF_PASSWORD, role, office, uri: uri[0], auth: new Authenticator(secretOf(uri[0])) };
}

const JOURNEY_TIMEOUT_MS = 150000;
const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 70);

/*
 * A test with two people in their own browser sessions of one language:
 * fn(member, staff).  On failure both leave a screenshot and the ends
 * of the portal's and the CA service's logs (when there is one) are shown.
 */
export function caJourney(stack, name, { lang, memberViewport = DESKTOP, staffViewport = DESKTOP }, fn) {
	it(name, { timeout: JOURNEY_TIMEOUT_MS }, async () => {
		const member = await Session.open(stack.browser, stack.portal, { lang, viewport: memberViewport });
		let staff = null;
		try {
			staff = await Session.open(stack.browser, stack.portal, { lang, viewport: staffViewport });
			await fn(member, staff);
		} catch (e) {
			const shots = [];
			for (const [who, s] of [['member', member], ['staff', staff]])
				if (s !== null)
					shots.push(`${who} at ${s.path}: ` + await s.shot(`FAILED-${slug(name)}-${who}`).catch(() => '(no screenshot)'));
			e.message += `\n  ${shots.join('\n  ')}` +
				`\n  portal log (${stack.portal.server.logPath}), last lines:\n` +
				stack.portal.server.logTail(15).replace(/^/gm, '    ') +
				(stack.ca === null ? '' : `\n  CA log (${stack.ca.server.logPath}), last lines:\n` +
					stack.ca.server.logTail(10).replace(/^/gm, '    '));
			throw e;
		} finally {
			await staff?.close();
			await member.close();
		}
	});
}
