// Access for everyone, in Serbian and in English: the login form with the
// keyboard alone, the pages on a phone (375x667) and a desktop
// (1366x768) without sideways scrolling and with every button
// reachable, and the login journey with JavaScript turned off.  (axe-core
// audits every page each session visits; see lib/browser.js.)
import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { DESKTOP, PHONE } from './lib/browser.js';
import { assertButtonsReachable } from './lib/checks.js';
import {
	ORDER_INPUT, accountFor, confirmFromMail, expectLoggedIn, login, logout, openOrderForm, register,
} from './lib/journeys.js';
import { LANGS } from './lib/messages.js';
import { demoMembers } from './lib/portal.js';
import { journey, useStack } from './lib/suite.js';

const stack = useStack('access');
const members = demoMembers();

/* Tab until `selector` has the focus; every stop must show its focus. */
async function tabTo(s, selector, maxTabs = 25) {
	const stops = [];
	for (let n = 0; n < maxTabs; n++) {
		await s.page.keyboard.press('Tab');
		const f = await s.page.evaluate((sel) => {
			const el = document.activeElement;
			const cs = getComputedStyle(el);
			const r = el.getBoundingClientRect();
			return {
				match: el.matches(sel),
				what: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.innerText || el.name || '').trim()}"`,
				outlined: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
				onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth,
			};
		}, selector);
		stops.push(f.what);
		assert.ok(f.outlined, `keyboard focus on ${f.what} is not visible (no outline)`);
		assert.ok(f.onScreen, `keyboard focus on ${f.what} is off screen`);
		if (f.match)
			return stops;
	}
	throw new Error(`${selector} not reached with ${maxTabs} Tabs; stops: ${stops.join(', ')}`);
}

/* The pages to fit a viewport, each with what to do to reach its state. */
const PUBLIC_PAGES = [
	['home', '/'], ['login', '/login'], ['register', '/register'], ['forgot-username', '/forgot-username'],
	['password-forgot', '/password/forgot'], ['help', '/help'], ['help-request', '/help/request'],
	['offices', '/offices'],
];
const MEMBER_PAGES = [
	['home-member', '/'], ['account', '/account'], ['password-change', '/password/change'],
	['certificates-new', '/certificates/new'], ['order-natural-form', '/certificates/new/natural'],
	['order-legal-form', '/certificates/new/legal'], ['orders', '/orders'],
];
const BUTTONS = 'main button, main a.button, header a, header button';

/* Screenshots of these at the phone size (all are checked at both). */
const PHONE_SHOTS = new Set(['home', 'login', 'register-errors', 'home-member', 'certificates-new',
	'order-legal-errors', 'order-review', 'order-confirmed', 'orders-list']);

async function fits(s, name, { shots }) {
	await assertButtonsReachable(s.page, BUTTONS, `${s.path} at ${s.viewport.width}x${s.viewport.height}`);
	if (shots && PHONE_SHOTS.has(name))
		await s.shot(name);
}

for (const [i, lang] of LANGS.entries()) {
	const acct = accountFor(members[6 + i]);

	describe(`access (${lang})`, () => {
		journey(stack, `test_login_form_is_filled_and_sent_with_the_keyboard_alone (${lang})`, { lang }, async (s) => {
			await register(s, acct);
			await confirmFromMail(s, acct);
			await s.go('/login');
			await s.page.keyboard.press('Tab');
			const skip = await s.page.evaluate(() => {
				const el = document.activeElement;
				const r = el.getBoundingClientRect();
				return { text: el.textContent.trim(), href: el.getAttribute('href'), left: r.left };
			});
			assert.deepEqual({ text: skip.text, href: skip.href }, { text: s.t('nav.skip'), href: '#main' },
				'the first Tab stop is the skip link');
			assert.ok(skip.left >= 0, 'the focused skip link is on screen');
			await s.page.keyboard.press('Enter');
			await tabTo(s, '#f-username', 3);
			await s.page.keyboard.type(acct.username);
			await tabTo(s, '#f-password', 1);
			await s.page.keyboard.type(acct.password);
			await Promise.all([s.page.waitForNavigation({ waitUntil: 'load' }), s.page.keyboard.press('Enter')]);
			await s.checkPage();
			await expectLoggedIn(s, acct);
			// And out again: Tab to the logout button, Enter.
			await tabTo(s, 'header form[action="/logout"] button');
			await Promise.all([s.page.waitForNavigation({ waitUntil: 'load' }), s.page.keyboard.press('Enter')]);
			await s.checkPage();
			assert.equal(await s.page.locator('header form[action="/logout"]').count(), 0, 'logged out');
		});

		for (const viewport of [PHONE, DESKTOP]) {
			const shots = viewport === PHONE;
			journey(stack, `test_pages_fit_${viewport.width}x${viewport.height}_without_sideways_scrolling (${lang})`,
				{ lang, viewport }, async (s) => {
					for (const [name, p] of PUBLIC_PAGES) {
						await s.go(p);
						await fits(s, name, { shots });
					}
					await s.go('/register');
					await s.submit();
					await s.expectAt({ status: 422 });
					await fits(s, 'register-errors', { shots });
					await login(s, acct);
					for (const [name, p] of MEMBER_PAGES) {
						await s.go(p);
						await fits(s, name, { shots });
					}
					await openOrderForm(s, 'legal');
					await s.submit();
					await s.expectAt({ status: 422 });
					await fits(s, 'order-legal-errors', { shots });
					await s.submitForm(ORDER_INPUT.legal);
					await s.expectAt({ h1: 'order.review_title' });
					await fits(s, 'order-review', { shots });
					await s.click(s.page.locator('main form[action$="/confirm"] button'));
					await s.expectAt({ h1: 'order.page_title' });
					await fits(s, 'order-confirmed', { shots });
					await s.go('/orders');
					await fits(s, 'orders-list', { shots });
				});
		}

		journey(stack, `test_login_journey_works_with_javascript_disabled (${lang})`,
			{ lang, javaScript: false }, async (s) => {
				const probe = await s.context.newPage();
				await probe.setContent('<title>off</title><script>document.title = "on"</script>');
				assert.equal(await probe.title(), 'off', 'JavaScript is off in this browser');
				await probe.close();
				await s.go('/login');
				await s.submitForm({ username: acct.username, password: '' });
				await s.expectAt({ path: '/login', status: 422 });
				assert.equal(await s.page.locator('main .has-error [name=password]').count(), 1);
				await login(s, acct);
				await s.go('/account');
				await s.expectAt({ h1: 'account.title', status: 200 });
				await logout(s);
			});
	});
}
