// Debian's Chromium driven by playwright-core, and a Session: one person
// in one browser context (own cookies, language, viewport) who moves
// through the portal.  Every page a session reaches is checked: the
// language is the session's, axe-core finds no WCAG 2.1 A/AA violation
// (once per kind of page), and nothing scrolls sideways.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { CHROMIUM, screenshotDir } from './env.js';
import {
	assertCheckboxesBesideLabels, assertFitsWidth, assertNoHorizontalScroll, axeViolations, formatViolations,
	measureHorizontalScroll,
} from './checks.js';
import { t } from './messages.js';

const require = createRequire(import.meta.url);

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 375, height: 667 };

const NAV_TIMEOUT_MS = 15000;

/*
 * Chromium's headless mode is the whole browser without a screen: every
 * browser context is a window whose address bar keeps its drop-down (two
 * WebUI pages, chrome://omnibox-popup.top-chrome/) in a renderer of its
 * own, updated at each navigation.  Nobody sees it here; turned off,
 * Chromium used about a fifth less CPU on the same pages (measured: 2
 * contexts x 16 portal pages with axe and screenshots).  Chromium keeps
 * only the last --disable-features, so ours repeats playwright-core's own
 * list (its chromiumSwitches.ts disabledFeatures), checked against the
 * version it was copied from: package-lock.json pins it.
 */
const PLAYWRIGHT_VERSION = '1.61.1';
const PLAYWRIGHT_DISABLED_FEATURES = [
	'AvoidUnnecessaryBeforeUnloadCheckSync', 'BoundaryEventDispatchTracksNodeRemoval',
	'DestroyProfileOnBrowserClose', 'DialMediaRouteProvider', 'GlobalMediaControls', 'HttpsUpgrades',
	'LensOverlay', 'MediaRouter', 'PaintHolding', 'ThirdPartyStoragePartitioning', 'Translate',
	'AutoDeElevate', 'RenderDocument', 'OptimizationHints', 'msForceBrowserSignIn',
	'msEdgeUpdateLaunchServicesPreferredVersion',
];
const UNSEEN_BROWSER_UI = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

export function launchBrowser() {
	const { version } = require('playwright-core/package.json');
	if (version !== PLAYWRIGHT_VERSION)
		throw new Error(`playwright-core is ${version}: copy its disabledFeatures into lib/browser.js ` +
			`(written for ${PLAYWRIGHT_VERSION}) and update PLAYWRIGHT_VERSION`);
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
			`--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...UNSEEN_BROWSER_UI].join(',')}`],
	});
}

/* Kinds of page already audited by axe in this process. */
const audited = new Set();
let axeMs = 0;
process.on('exit', () => console.log(`axe-core audited ${audited.size} kinds of page in ${(axeMs / 1000).toFixed(1)} s`));

export class Session {
	/*
	 * lang: 'sr' (the portal's default), 'en' or 'sr-Cyrl' (chosen with
	 * ?lang= on the first page, then remembered by the portal's cookie).
	 * javaScript: false for a browser with JavaScript off (the checks
	 * still run: playwright evaluates through the DevTools protocol).
	 * auditEachSize: axe audits a kind of page at each viewport width
	 * rather than once for all sizes.  storageState: the cookies to start
	 * with (see clone()).
	 */
	static async open(browser, portal, {
		lang = 'sr', viewport = DESKTOP, javaScript = true, auditEachSize = false, storageState,
	} = {}) {
		const context = await browser.newContext({
			viewport, javaScriptEnabled: javaScript, acceptDownloads: true, storageState,
			locale: { sr: 'sr-Latn-RS', 'sr-Cyrl': 'sr-Cyrl-RS' }[lang] ?? 'en-GB',
		});
		context.setDefaultTimeout(NAV_TIMEOUT_MS);
		const s = new Session(context, await context.newPage(), portal, { lang, viewport, javaScript, auditEachSize });
		await s.go(lang === 'sr' ? '/' : `/?lang=${lang}`);
		return s;
	}

	constructor(context, page, portal, { lang, viewport, javaScript, auditEachSize = false }) {
		Object.assign(this, { context, page, portal, lang, viewport, javaScript, auditEachSize });
		this.status = 0;
	}

	/* The same person (this session's cookies: signed in as now) in a new
	 * browser context with `opts` changed, e.g. {javaScript: false} or
	 * another language; the caller closes it. */
	async clone(opts = {}) {
		return Session.open(this.context.browser(), this.portal, {
			lang: this.lang, viewport: this.viewport, javaScript: this.javaScript,
			auditEachSize: this.auditEachSize, storageState: await this.context.storageState(), ...opts,
		});
	}

	/* The portal's text for `key` in this session's language. */
	t(key) {
		return t(this.lang, key);
	}

	get path() {
		const u = new URL(this.page.url());
		return u.pathname + u.search;
	}

	get pathname() {
		return new URL(this.page.url()).pathname;
	}

	/* Opens a portal path (or a full URL, e.g. from a mail). */
	async go(target) {
		const res = await this.page.goto(this.portal.url(target), { waitUntil: 'load' });
		this.status = res ? res.status() : 0;
		await this.checkPage();
		return this;
	}

	/* Fills fields of the form in <main> by name: strings for inputs and
	 * selects, booleans for checkboxes. */
	async fill(values, form = 'main form') {
		const kinds = await this.page.evaluate(([f, names]) => Object.fromEntries(names.map((n) => {
			const e = document.querySelector(`${f} [name="${n}"]`);
			return [n, e === null ? null : e.tagName === 'SELECT' ? 'select' : e.type];
		})), [form, Object.keys(values)]);
		for (const [name, value] of Object.entries(values)) {
			const el = this.page.locator(`${form} [name="${name}"]`);
			const kind = kinds[name];
			assert.ok(kind !== null, `${this.path} has no field ${name} in ${form}`);
			if (kind === 'select')
				await el.selectOption(value);
			else if (kind === 'checkbox')
				await el.setChecked(Boolean(value));
			else
				await el.fill(value);
		}
		return this;
	}

	/* Clicks a button (a selector or a locator) that leaves the page and
	 * waits for the page it leads to. */
	async click(target) {
		const el = typeof target === 'string' ? this.page.locator(target) : target;
		const [res] = await Promise.all([
			this.page.waitForNavigation({ waitUntil: 'load' }),
			el.click(),
		]);
		this.status = res ? res.status() : 0;
		await this.checkPage();
		return this;
	}

	/* Submits the form in <main> with its submit button. */
	async submit(form = 'main form') {
		return this.click(this.page.locator(`${form} button[type=submit]`).last());
	}

	/* Fills and submits in one step. */
	async submitForm(values, form = 'main form') {
		await this.fill(values, form);
		return this.submit(form);
	}

	/* Clicks the link with this exact text in <main> and follows it. */
	async follow(text) {
		return this.click(this.page.locator('main a', { hasText: text }).first());
	}

	async h1() {
		return (await this.page.locator('main h1').innerText()).trim();
	}

	/* The text of the page's status or error alerts. */
	async alerts() {
		return (await this.page.locator('main .alert').allInnerTexts()).map((s) => s.trim());
	}

	/* Asserts where the session is: a path (string, or RegExp on
	 * path+query), the <h1> (a messages key) and the HTTP status. */
	async expectAt({ path: p, h1, status }) {
		if (p instanceof RegExp)
			assert.match(this.path, p, 'page address');
		else if (p !== undefined)
			assert.equal(this.pathname, p, 'page address');
		if (h1 !== undefined)
			assert.ok((await this.h1()).startsWith(this.t(h1)), `<h1> of ${this.path} is "${await this.h1()}", expected ${h1}`);
		if (status !== undefined)
			assert.equal(this.status, status, `HTTP status of ${this.path}`);
	}

	/* The checks every page gets; axe once per kind of page (its path
	 * with numbers folded, heading, error state and language: the
	 * layout checks cover the viewports; with auditEachSize, per width). */
	async checkPage() {
		const where = `${this.path} (${this.lang}, ${this.viewport.width}x${this.viewport.height})`;
		/* One round trip for what every page is asked (the page has
		 * loaded: nothing to wait for); each locator call would be one. */
		const { lang, h1, errors, scroll } = await this.page.evaluate(`({
			lang: document.documentElement.getAttribute('lang'),
			h1: document.querySelector('main h1')?.textContent ?? '',
			errors: document.querySelectorAll('main .alert-error').length,
			scroll: (${measureHorizontalScroll})(),
		})`);
		assert.equal(lang, this.lang, `<html lang> of ${where}`);
		assertFitsWidth(scroll, where);
		const kind = [this.lang, this.pathname, h1, errors].join('|').replace(/\d+/g, '#') +
			(this.auditEachSize ? `|${this.viewport.width}` : '');
		if (audited.has(kind))
			return;
		audited.add(kind);
		const t0 = Date.now();
		const violations = this.javaScript ? await axeViolations(this.page) : await this.auditCopy();
		axeMs += Date.now() - t0;
		assert.equal(violations.length, 0, formatViolations(where, violations));
	}

	/* axe-core on a copy of the page in a browser with JavaScript on (in
	 * a page with JavaScript off axe's timers never fire): the same
	 * address and size, the document answered with this page's HTML,
	 * its style sheets and images loaded from the portal.  The copy's
	 * page is kept for the session's later pages. */
	async auditCopy() {
		const url = this.page.url();
		const html = await this.page.content();
		if (this.auditor === undefined) {
			const context = await this.context.browser().newContext({ viewport: this.viewport });
			this.auditor = await context.newPage();
			await this.auditor.route('**/*', (r) => (r.request().isNavigationRequest()
				? r.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: this.auditHtml })
				: r.continue()));
		}
		await this.auditor.setViewportSize(this.viewport);
		this.auditHtml = html;
		await this.auditor.goto(url, { waitUntil: 'load' });
		return axeViolations(this.auditor);
	}

	/* A full-page screenshot into the run's screenshot folder. */
	async shot(name) {
		const file = path.join(screenshotDir(this.lang, this.viewport), `${name}.png`);
		await this.page.screenshot({ path: file, fullPage: true });
		return file;
	}

	/* A screenshot of the page, and one of the same page at the other
	 * size (375x667 for a desktop session, 1366x768 for a phone one),
	 * where nothing may scroll sideways either; at both sizes each
	 * checkbox stands beside its label. */
	async shotAtBothSizes(name) {
		const where = (v) => `${this.path} (${this.lang}, ${v.width}x${v.height})`;
		await assertCheckboxesBesideLabels(this.page, where(this.viewport));
		await this.shot(name);
		const was = this.viewport;
		const other = was.width === PHONE.width ? DESKTOP : PHONE;
		await this.page.setViewportSize(other);
		this.viewport = other;
		try {
			await assertNoHorizontalScroll(this.page, where(other));
			await assertCheckboxesBesideLabels(this.page, where(other));
			await this.shot(name);
		} finally {
			await this.page.setViewportSize(was);
			this.viewport = was;
		}
	}

	async close() {
		await this.auditor?.context().close();
		await this.context.close();
	}
}
