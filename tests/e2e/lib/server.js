// Starting and stopping a server process on a free loopback port: used
// for the portal now and meant for every other service the journeys need
// (the CA service, ...).  Each server logs to a file in its folder.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const START_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 5000;
const START_ATTEMPTS = 3;

/* Environment without QCRA_* settings a developer's shell may export. */
export function cleanEnv(extra = {}) {
	const env = {};
	for (const [k, v] of Object.entries(process.env))
		if (!k.startsWith('QCRA_'))
			env[k] = v;
	return { ...env, ...extra };
}

/* A port on 127.0.0.1 nobody listens on right now.  Another process
 * can take it before the server binds: start() then tries another. */
export function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.unref();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* The HTTP status of GET url, or 0 when nothing answers (node:http, not
 * fetch: Debian's node 18 has fetch only with its node-undici). */
function statusOf(url) {
	return new Promise((resolve) => {
		const req = http.get(url, { timeout: 1000 }, (res) => {
			res.resume();
			resolve(res.statusCode);
		});
		req.on('timeout', () => req.destroy());
		req.on('error', () => resolve(0));
	});
}

const running = new Set();
process.on('exit', () => {
	for (const child of running)
		child.kill('SIGKILL');
});

/*
 * A server process.  argv(port) gives the command line for a port;
 * health is the path that answers 200 once the server is ready.
 */
export class Server {
	constructor({ name, bin, argv, health = '/healthz', env = {}, dir }) {
		Object.assign(this, { name, bin, argv, health, env, dir });
		this.child = null;
		this.port = 0;
		this.logPath = path.join(dir, `${name}.log`);
	}

	get base() {
		return `http://127.0.0.1:${this.port}`;
	}

	/* The last lines of the server's log, for failure messages. */
	logTail(lines = 30) {
		try {
			return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
		} catch {
			return '(no log)';
		}
	}

	async start() {
		let lastError = null;
		for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
			this.port = await freePort();
			try {
				await this.startOn(this.port);
				return this;
			} catch (e) {
				lastError = e;
				await this.stop();
			}
		}
		throw lastError;
	}

	async startOn(port) {
		const log = fs.openSync(this.logPath, 'a');
		const child = spawn(this.bin, this.argv(port), {
			env: cleanEnv(this.env),
			stdio: ['ignore', log, log],
		});
		fs.closeSync(log);
		this.child = child;
		running.add(child);
		let exited = null;
		child.on('exit', (code, signal) => {
			exited = signal || `status ${code}`;
			running.delete(child);
		});
		const deadline = Date.now() + START_TIMEOUT_MS;
		while (Date.now() < deadline) {
			if (exited !== null)
				throw new Error(`${this.name} on port ${port} exited (${exited}):\n${this.logTail()}`);
			if (await statusOf(this.base + this.health) === 200)
				return;
			await sleep(50);
		}
		throw new Error(`${this.name} on port ${port} did not answer 200 on ${this.health} ` +
			`within ${START_TIMEOUT_MS} ms:\n${this.logTail()}`);
	}

	async stop() {
		const child = this.child;
		this.child = null;
		if (child === null || child.exitCode !== null || child.signalCode !== null)
			return;
		const gone = new Promise((r) => child.once('exit', r));
		child.kill('SIGTERM');
		const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
		await gone;
		clearTimeout(timer);
	}
}
