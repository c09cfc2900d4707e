// The frame of a test file: one portal (fresh database) and one Chromium
// for the whole file, and journeys, each a test with its own browser
// session.  A failing journey leaves a screenshot FAILED-<name>.png and
// shows the end of the portal's log.
import { after, before, it } from 'node:test';

import { Session } from './browser.js';
import { launchBrowser } from './browser.js';
import { Portal } from './portal.js';

const JOURNEY_TIMEOUT_MS = 90000;

/* Starts a portal and a browser before the file's tests, stops them after. */
export function useStack(name) {
	const stack = { portal: null, browser: null };
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

const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);

/* A test: fn(session) runs in a new session with `opts` (Session.open). */
export function journey(stack, name, opts, fn) {
	it(name, { timeout: JOURNEY_TIMEOUT_MS }, async () => {
		const s = await Session.open(stack.browser, stack.portal, opts);
		try {
			await fn(s);
		} catch (e) {
			const shot = await s.shot(`FAILED-${slug(name)}`).catch(() => null);
			e.message += `\n  at page ${s.path}` + (shot ? `\n  screenshot ${shot}` : '') +
				`\n  portal log (${stack.portal.server.logPath}), last lines:\n` +
				stack.portal.server.logTail(15).replace(/^/gm, '    ');
			throw e;
		} finally {
			await s.close();
		}
	});
}
