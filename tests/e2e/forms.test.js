// Every form shown again for bad input, in Serbian and in English: each
// wrong field marked and its message next to it (tied with
// aria-describedby, listed in the summary at the top), what was typed
// kept (passwords excepted), status 422; then the corrected form goes
// through.
import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { assertFormErrors } from './lib/checks.js';
import {
	NEW_PASSWORD, ORDER_INPUT, accountFor, confirmFromMail, login, openOrderForm, register,
} from './lib/journeys.js';
import { linkTo } from './lib/mail.js';
import { LANGS } from './lib/messages.js';
import { demoMembers } from './lib/portal.js';
import { journey, useStack } from './lib/suite.js';

const stack = useStack('forms');
const members = demoMembers();

/* Submits `values` and checks the form comes back with `errors` (field
 * → messages key) and keeps `kept` (field → value). */
async function expectRejected(s, values, errors, kept = {}, shot = null) {
	await s.submitForm(values);
	await s.expectAt({ status: 422 });
	// An error is a message key, or [key, {name: label key}] for one
	// that names its field ("{field} must start with a letter").
	const text = (key) => (Array.isArray(key)
		? Object.entries(key[1]).reduce((t, [n, k]) => t.replace(`{${n}}`, s.t(k)), s.t(key[0]))
		: s.t(key));
	const texts = Object.fromEntries(Object.entries(errors).map(([f, key]) => [f, text(key)]));
	await assertFormErrors(s.page, { errors: texts, kept }, `${s.path} (${s.lang})`);
	if (shot)
		await s.shot(shot);
}

for (const [i, lang] of LANGS.entries()) {
	const acct = accountFor(members[4 + i]);
	const m = acct.member;

	describe(`form errors (${lang})`, () => {
		journey(stack, `test_register_form_shows_each_error_next_to_its_field (${lang})`, { lang }, async (s) => {
			await s.go('/register');
			await expectRejected(s, {}, {
				license_number: 'field.required', jmbg: 'field.required', email: 'field.required',
				username: 'field.required', password: 'field.required', password_confirm: 'field.required',
			}, {}, 'register-errors-empty');
			const bad = { license_number: 'ab#12', jmbg: '12345', email: 'zarko@', username: 'Žarko' };
			await expectRejected(s, { ...bad, password: 'kratka', password_confirm: 'kratka' }, {
				license_number: 'field.license_invalid', jmbg: 'field.jmbg_format',
				email: 'field.email_invalid', username: 'field.username_invalid',
				password: 'field.password_short',
			}, bad, 'register-errors-format');
			const typo = { license_number: m.license_number, jmbg: '3203978711237', email: m.email, username: acct.username };
			await expectRejected(s, { ...typo, password: acct.password, password_confirm: `${acct.password}!` }, {
				jmbg: 'field.jmbg_date', password_confirm: 'field.password_mismatch',
			}, typo);
			await expectRejected(s, { jmbg: '1203978711238', password: acct.password, password_confirm: acct.password },
				{ jmbg: 'field.jmbg_check' }, { ...typo, jmbg: '1203978711238' });
			const other = { ...typo, jmbg: members[0].jmbg };
			await expectRejected(s, { ...other, password: acct.password, password_confirm: acct.password },
				{ license_number: 'register.no_match' }, other, 'register-errors-no-match');
			await register(s, acct);
			await confirmFromMail(s, acct);
		});

		journey(stack, `test_login_form_shows_errors_and_keeps_the_username (${lang})`, { lang }, async (s) => {
			await s.go('/login');
			await expectRejected(s, {}, { username: 'field.required', password: 'field.required' }, {},
				'login-errors');
			await s.submitForm({ username: acct.username, password: 'not the password' });
			await s.expectAt({ path: '/login', status: 422 });
			assert.deepEqual(await s.alerts(), [s.t('login.failed')]);
			assert.equal(await s.page.inputValue('main [name=username]'), acct.username);
			assert.equal(await s.page.inputValue('main [name=password]'), '');
			await s.shot('login-failed');
			await login(s, acct);
		});

		journey(stack, `test_forgotten_username_and_password_forms_show_errors (${lang})`, { lang }, async (s) => {
			for (const [page, h1] of [['/forgot-username', 'forgot_username.title'], ['/password/forgot', 'password_forgot.title']]) {
				await s.go(page);
				await expectRejected(s, {}, { email: 'field.required' });
				await s.expectAt({ path: page, h1 });
				await expectRejected(s, { email: 'zarko.example.rs' }, { email: 'field.email_invalid' },
					{ email: 'zarko.example.rs' }, `${page.slice(1).replace('/', '-')}-errors`);
			}
		});

		journey(stack, `test_password_reset_form_shows_errors (${lang})`, { lang }, async (s) => {
			await s.go('/password/forgot');
			await s.submitForm({ email: m.email });
			const mail = await s.portal.mail.next({ to: m.email, subject: s.t('mail.reset.subject') });
			await s.go(linkTo(mail, '/password/reset'));
			await expectRejected(s, {}, { password: 'field.required', password_confirm: 'field.required' });
			await expectRejected(s, { password: 'kratka', password_confirm: 'kratka' },
				{ password: 'field.password_short' }, {}, 'password-reset-errors');
			await expectRejected(s, { password: NEW_PASSWORD, password_confirm: acct.password },
				{ password_confirm: 'field.password_mismatch' });
			await s.expectAt({ path: '/password/reset', h1: 'password_reset.title' });
			await s.submitForm({ password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
			await s.expectAt({ path: '/login', status: 200 });
			acct.password = NEW_PASSWORD;
		});

		journey(stack, `test_password_change_form_shows_errors (${lang})`, { lang }, async (s) => {
			await login(s, acct);
			await s.go('/password/change');
			await expectRejected(s, {}, {
				current_password: 'field.required', password: 'field.required', password_confirm: 'field.required',
			});
			await expectRejected(s, { current_password: 'not the password', password: 'kratka', password_confirm: 'kratka' },
				{ current_password: 'password.current_wrong', password: 'field.password_short' }, {},
				'password-change-errors');
			await expectRejected(s, { current_password: acct.password, password: acct.username, password_confirm: acct.username },
				{ password: acct.username.length >= 12 ? 'field.password_username' : 'field.password_short' });
		});

		journey(stack, `test_natural_person_order_form_shows_errors (${lang})`, { lang }, async (s) => {
			await login(s, acct);
			await openOrderForm(s, 'natural');
			// JMBG and license number are the register's, shown read-only.
			const typed = {
				first_name: 'Žarko2', id_number: 'AB#1', postal_code: '1100',
				city: 'Beograd', email: 'zarko', phone: '011 123',
			};
			await expectRejected(s, {
				...typed, id_type: '', id_issuer: '', street: '', office: '', validity: '', consent: false,
			}, {
				first_name: ['field.name_invalid', { field: 'field.first_name' }], name_differs: 'order.name_not_register', id_type: 'field.required',
				id_number: 'field.doc_number_invalid', id_issuer: 'field.required', street: 'field.required',
				postal_code: 'field.postal_invalid', email: 'field.email_invalid', phone: 'field.phone_invalid',
				office: 'field.required', validity: 'field.required', consent: 'field.required_check',
			}, { ...typed, last_name: m.last_name, jmbg: m.jmbg, license_number: m.license_number }, 'order-natural-errors');
			await s.submitForm({ ...ORDER_INPUT.natural, first_name: m.first_name, email: m.email });
			await s.expectAt({ path: /^\/orders\/\d+\/review$/, h1: 'order.review_title', status: 200 });
			// The same form again when the draft is edited from the review
			// (consent is not kept with the draft: it is given again).
			const review = s.pathname;
			await s.follow(s.t('order.edit'));
			await s.expectAt({ path: review.replace(/review$/, 'edit'), h1: 'order.form_title', status: 200 });
			await expectRejected(s, { postal_code: '11O00', phone: '', consent: true },
				{ postal_code: 'field.postal_invalid', phone: 'field.required' },
				{ postal_code: '11O00', city: ORDER_INPUT.natural.city });
			await s.submitForm({ postal_code: '11010', phone: ORDER_INPUT.natural.phone, consent: true });
			await s.expectAt({ path: review, h1: 'order.review_title', status: 200 });
			assert.ok((await s.page.locator('main table.data').first().innerText()).includes('11010'), 'the edit was saved');
		});

		journey(stack, `test_legal_entity_order_form_shows_errors (${lang})`, { lang }, async (s) => {
			await login(s, acct);
			await openOrderForm(s, 'legal');
			const typed = {
				company_mb: '17001230', company_pib: '101134703', company_postal_code: 'abcde',
				company_email: 'office', company_city: 'Kragujevac', validity: '3y',
			};
			await expectRejected(s, { ...ORDER_INPUT.legal, ...typed, position: '', company_name: '' }, {
				position: 'field.required', company_name: 'field.required', company_mb: 'field.mb_check',
				company_pib: 'field.pib_check', company_postal_code: 'field.postal_invalid',
				company_email: 'field.email_invalid',
			}, { ...typed, street: ORDER_INPUT.legal.street, card_reader: '', consent: '1' }, 'order-legal-errors');
			await expectRejected(s, { ...ORDER_INPUT.legal, company_mb: '1700123', company_pib: '10113470' },
				{ company_mb: 'field.mb_format', company_pib: 'field.pib_format' });
			await s.submitForm(ORDER_INPUT.legal);
			await s.expectAt({ path: /^\/orders\/\d+\/review$/, h1: 'order.review_title', status: 200 });
		});
	});
}
