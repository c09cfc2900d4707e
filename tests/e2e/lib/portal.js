// The portal under test: build/qcra serve on a free loopback port with a
// fresh --var folder (new SQLite database, mail as .eml files), the demo
// member register imported first.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { QCRA_BIN, ROOT, freshDir } from './env.js';
import { Mailbox } from './mail.js';
import { Server, cleanEnv } from './server.js';

export const DEMO_MEMBERS = path.join(ROOT, 'data', 'demo-members.csv');

/* The demo member register as objects keyed by the CSV header. */
export function demoMembers() {
	const [head, ...rows] = fs.readFileSync(DEMO_MEMBERS, 'utf8').trim().split('\n');
	const keys = head.split(',');
	return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [keys[i], v])));
}

export class Portal {
	/* name: used for the --var folder; env: extra QCRA_* settings. */
	constructor({ name = 'portal', env = {} } = {}) {
		if (!fs.existsSync(QCRA_BIN))
			throw new Error(`${QCRA_BIN} does not exist: build first (scripts/e2e does)`);
		this.var = freshDir(`var-${name}`);
		this.mail = new Mailbox(path.join(this.var, 'mail'));
		this.server = new Server({
			name: 'qcra-serve',
			bin: QCRA_BIN,
			dir: this.var,
			/* The test CA is chosen explicitly: it is never a default. */
			env: { QCRA_CA_CONNECTOR: 'testca', ...env },
			argv: (port) => ['serve', '--listen', `127.0.0.1:${port}`, '--var', this.var],
		});
	}

	/* Makes the database and imports the demo member register, as an
	 * administrator installs the portal (member import works only on a
	 * database that exists), then starts the server. */
	async start() {
		for (const args of [['migrate', '--var', this.var],
			['member', 'import', '--var', this.var, DEMO_MEMBERS]])
			execFileSync(QCRA_BIN, args, {
				env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000,
			});
		await this.server.start();
		return this;
	}

	/* `qcra testca ARGS` on this portal's database, e.g. fail --message
	 * TEXT --refuse CODE (a portal on the test CA only); its output. */
	testca(...args) {
		return execFileSync(QCRA_BIN, ['testca', ...args, '--var', this.var], {
			env: cleanEnv(this.server.env), stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000,
			encoding: 'utf8',
		});
	}

	get base() {
		return this.server.base;
	}

	url(p) {
		return new URL(p, this.base).href;
	}

	async stop() {
		await this.server.stop();
	}
}
