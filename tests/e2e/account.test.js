// Member accounts in a real browser, in Serbian and in English:
// registration confirmed by mail, login and logout, forgotten username,
// password reset by mail, password change.
import assert from 'node:assert/strict';
import { describe } from 'node:test';

import {
	NEW_PASSWORD, accountFor, confirmFromMail, expectLoggedIn, login, logout, register,
} from './lib/journeys.js';
import { linkTo } from './lib/mail.js';
import { LANGS } from './lib/messages.js';
import { demoMembers } from './lib/portal.js';
import { journey, useStack } from './lib/suite.js';

const stack = useStack('account');
const members = demoMembers();

for (const [i, lang] of LANGS.entries()) {
	// The tests of one language follow one member's account in order.
	const acct = accountFor(members[i]);

	describe(`accounts (${lang})`, () => {
		journey(stack, `test_registration_is_confirmed_by_the_mailed_link_then_login_and_logout (${lang})`,
			{ lang }, async (s) => {
				await s.shot('home');
				await register(s, acct, { shots: true });
				await s.go('/login');
				await s.submitForm({ username: acct.username, password: acct.password });
				await s.expectAt({ path: '/login', status: 422 });
				assert.ok((await s.alerts()).includes(s.t('login.unconfirmed')), 'login waits for the confirmation');
				await confirmFromMail(s, acct, { shots: true });
				await login(s, acct, { shots: true });
				await s.go('/account');
				await s.expectAt({ h1: 'account.title', status: 200 });
				const facts = await s.page.locator('main dl.facts').innerText();
				for (const v of [acct.username, acct.member.license_number, acct.member.email])
					assert.ok(facts.includes(v), `the account page shows ${v}`);
				await s.shot('account');
				await logout(s);
				await s.go('/account');
				await s.expectAt({ path: '/login', h1: 'login.title' });
			});

		journey(stack, `test_forgotten_username_arrives_by_mail (${lang})`, { lang }, async (s) => {
			await s.go('/login');
			await s.follow(s.t('login.forgot_username'));
			await s.expectAt({ path: '/forgot-username', h1: 'forgot_username.title', status: 200 });
			await s.shot('forgot-username');
			await s.submitForm({ email: acct.member.email.toUpperCase() });
			await s.expectAt({ path: '/forgot-username/sent', status: 200 });
			assert.deepEqual(await s.alerts(), [s.t('forgot_username.sent')]);
			await s.shot('forgot-username-sent');
			const mail = await s.portal.mail.next({ to: acct.member.email, subject: s.t('mail.username.subject') });
			assert.ok(mail.body.includes(acct.username), 'the mail holds the username');
			await s.go(linkTo(mail, '/login'));
			await login(s, acct);
		});

		journey(stack, `test_forgotten_password_is_reset_through_the_mailed_link (${lang})`, { lang }, async (s) => {
			await s.go('/login');
			await s.follow(s.t('login.forgot_password'));
			await s.expectAt({ path: '/password/forgot', h1: 'password_forgot.title', status: 200 });
			await s.shot('password-forgot');
			await s.submitForm({ email: acct.member.email });
			await s.expectAt({ path: '/password/forgot/sent', status: 200 });
			assert.deepEqual(await s.alerts(), [s.t('password_forgot.sent')]);
			const mail = await s.portal.mail.next({ to: acct.member.email, subject: s.t('mail.reset.subject') });
			await s.go(linkTo(mail, '/password/reset'));
			await s.expectAt({ path: '/password/reset', h1: 'password_reset.title', status: 200 });
			await s.shot('password-reset');
			await s.submitForm({ password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
			await s.expectAt({ path: '/login', h1: 'login.title', status: 200 });
			assert.ok((await s.alerts()).includes(s.t('login.reset')), 'the login page says the password changed');
			await s.portal.mail.next({ to: acct.member.email, subject: s.t('mail.changed.subject') });
			// The link works once, and the old password no longer does.
			await s.go(linkTo(mail, '/password/reset'));
			await s.expectAt({ h1: 'error.title', status: 400 });
			await s.go('/login');
			await s.submitForm({ username: acct.username, password: acct.password });
			await s.expectAt({ path: '/login', status: 422 });
			assert.ok((await s.alerts()).includes(s.t('login.failed')));
			acct.password = NEW_PASSWORD;
			await login(s, acct);
		});

		journey(stack, `test_logged_in_member_changes_the_password (${lang})`, { lang }, async (s) => {
			await login(s, acct);
			await s.follow(s.t('home.change_password'));
			await s.expectAt({ path: '/password/change', h1: 'password_change.title', status: 200 });
			await s.shot('password-change');
			const changed = `${NEW_PASSWORD} ${lang}`;
			await s.submitForm({ current_password: acct.password, password: changed, password_confirm: changed });
			await s.expectAt({ path: '/account', h1: 'account.title', status: 200 });
			assert.ok((await s.alerts()).includes(s.t('password.changed')));
			await s.shot('account-password-changed');
			await s.portal.mail.next({ to: acct.member.email, subject: s.t('mail.changed.subject') });
			acct.password = changed;
			await logout(s);
			await login(s, acct);
			await expectLoggedIn(s, acct);
		});
	});
}
