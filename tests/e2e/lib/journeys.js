// What a member does on the portal, one function per step, each checking
// that the portal answered as a person expects.  Tests chain them; the
// back office and the CA add their own steps beside these (operator
// login with TOTP, handover, revocation, ...).
import assert from 'node:assert/strict';
import fs from 'node:fs';

import { linkTo } from './mail.js';
import { answerConfirmation } from './office.js';

/* A password that passes the policy (12+ characters, not common). */
export const PASSWORD = 'Sunčan dan na Adi Ciganliji';
export const NEW_PASSWORD = 'Četiri psa trče po livadi';

/* The account a demo member registers: username from the member's name. */
export function accountFor(member, suffix = '') {
	const ascii = member.email.split('@')[0].replace(/[^a-z0-9]/g, '');
	return { member, username: `${ascii}${suffix}`.slice(0, 32), password: PASSWORD };
}

/* Fills /register for the account's member and sends it. */
export async function register(s, acct, { shots = false } = {}) {
	await s.go('/register');
	await s.expectAt({ h1: 'register.title', status: 200 });
	await s.fill({
		license_number: acct.member.license_number,
		jmbg: acct.member.jmbg,
		email: acct.member.email,
		username: acct.username,
		password: acct.password,
		password_confirm: acct.password,
	});
	if (shots)
		await s.shot('register-filled');
	await s.submit();
	await s.expectAt({ path: '/register/sent', h1: 'register.sent_title', status: 200 });
	if (shots)
		await s.shot('register-sent');
}

/* Opens the confirmation link from the mail and confirms the account. */
export async function confirmFromMail(s, acct, { shots = false } = {}) {
	const mail = await s.portal.mail.next({ to: acct.member.email, subject: s.t('mail.confirm.subject') });
	assert.ok(mail.body.includes(acct.username), 'the confirmation mail names the username');
	await s.go(linkTo(mail, '/register/confirm'));
	await s.expectAt({ path: '/register/confirm', h1: 'confirm.title', status: 200 });
	if (shots)
		await s.shot('confirm');
	await s.submit();
	await s.expectAt({ path: '/login', h1: 'login.title', status: 200 });
	assert.ok((await s.alerts()).includes(s.t('login.confirmed')), 'the login page says the account is confirmed');
	if (shots)
		await s.shot('login-confirmed');
}

/* Logs in from /login and lands on the home page, greeted by name. */
export async function login(s, acct, { password = acct.password, shots = false } = {}) {
	if (s.pathname !== '/login')
		await s.go('/login');
	if (shots)
		await s.shot('login');
	await s.submitForm({ username: acct.username, password });
	await expectLoggedIn(s, acct);
	if (shots)
		await s.shot('home-member');
}

export async function expectLoggedIn(s, acct) {
	await s.expectAt({ path: '/', h1: 'home.heading', status: 200 });
	const main = await s.page.locator('main').innerText();
	const name = `${acct.member.first_name} ${acct.member.last_name}`;
	assert.ok(main.includes(s.t('home.welcome')) && main.includes(name),
		`the home page greets ${name}`);
	assert.equal(await s.page.locator('header nav a[href="/account"]').innerText(), acct.username);
}

/* Logs out with the button in the menu. */
export async function logout(s) {
	await s.click(s.page.locator('header form[action="/logout"] button'));
	await s.expectAt({ path: '/', h1: 'home.heading', status: 200 });
	assert.equal(await s.page.locator('header form[action="/logout"]').count(), 0, 'logged out');
	assert.equal(await s.page.locator('header nav a[href="/login"]').count(), 1, 'the menu offers login');
}

/* Registers, confirms and logs in: a member ready to order. */
export async function newMember(s, acct) {
	await register(s, acct);
	await confirmFromMail(s, acct);
	await login(s, acct);
}

/* ---- Orders ---------------------------------------------------------- */

/* What a member types into the request form, by kind of request. */
export const ORDER_INPUT = {
	natural: {
		id_type: 'id_card',
		id_number: '009876543',
		id_issuer: 'PU za grad Beograd',
		street: 'Kneza Miloša 10',
		postal_code: '11000',
		city: 'Beograd',
		phone: '064 123 4567',
		office: 'NS',
		validity: '2y',
		card_reader: true,
		consent: true,
	},
	legal: {
		id_type: 'passport',
		id_number: 'P1234567',
		id_issuer: 'PU za grad Novi Sad',
		street: 'Bulevar oslobođenja 5',
		postal_code: '21000',
		city: 'Novi Sad',
		phone: '+381 63 555 1234',
		position: 'Direktor',
		company_name: 'Projektni biro Šumadija d.o.o.',
		company_mb: '17001234',
		company_pib: '101134702',
		company_street: 'Kralja Petra 12',
		company_postal_code: '34000',
		company_city: 'Kragujevac',
		company_email: 'office@example.rs',
		office: 'KG',
		validity: '1y',
		card_reader: false,
		consent: true,
	},
};

/* From the instructions page to the request form of `type`. */
export async function openOrderForm(s, type) {
	await s.go('/certificates/new');
	await s.expectAt({ h1: 'cert_new.heading', status: 200 });
	await s.click(s.page.locator(`main a[href="/certificates/new/${type}"]`));
	await s.expectAt({ path: `/certificates/new/${type}`, h1: 'order.form_title', status: 200 });
}

/*
 * A whole order: instructions, form (prefilled from the member
 * register), review, confirmation.  Returns the order's number; the
 * session is left on the confirmed order's page.  onForm(s) and
 * onReview(s, id) add checks on the empty form and on the review.
 */
export async function placeOrder(s, acct, type, { shots = false, input = ORDER_INPUT[type], onForm, onReview } = {}) {
	await openOrderForm(s, type);
	if (onForm)
		await onForm(s);
	const m = acct.member;
	const prefilled = await s.page.evaluate(() => Object.fromEntries(
		['first_name', 'last_name', 'jmbg', 'email', 'license_number']
			.map((n) => [n, document.querySelector(`main form [name="${n}"]`).value])));
	assert.deepEqual(prefilled, {
		first_name: m.first_name, last_name: m.last_name, jmbg: m.jmbg, email: m.email,
		license_number: m.license_number,
	}, 'the form is prefilled from the member register');
	await s.fill(input);
	if (shots)
		await s.shot(`order-${type}-form`);
	await s.submit();
	await s.expectAt({ path: /^\/orders\/\d+\/review$/, h1: 'order.review_title', status: 200 });
	const id = Number(s.pathname.split('/')[2]);
	const table = await s.page.locator('main table.data').first().innerText();
	for (const v of [m.first_name, m.last_name, input.street, input.city, input.company_name].filter(Boolean))
		assert.ok(table.includes(v), `the review shows ${v}`);
	if (shots)
		await s.shot(`order-${type}-review`);
	if (onReview)
		await onReview(s, id);
	await s.click(s.page.locator(`main form[action="/orders/${id}/confirm"] button`));
	await s.expectAt({ path: `/orders/${id}`, h1: 'order.page_title', status: 200 });
	assert.equal(await s.page.locator('main .state strong').innerText(), s.t('state.confirmed'));
	const strong = s.page.locator('main section[aria-labelledby="print-h"] strong');
	assert.equal(await strong.nth(0).innerText(), '97', 'the payment model is shown apart');
	assert.match(await strong.nth(1).innerText(), /^\d{2} \d{8,}$/, 'the reference, grouped as "95 00000001"');
	if (shots)
		await s.shot(`order-${type}-confirmed`);
	return id;
}

/* Downloads the confirmed order's three PDFs by clicking their links;
 * each answer must be application/pdf, saved as a real PDF. */
export async function downloadDocuments(s, id) {
	const names = [];
	for (const doc of ['request', 'contract', 'proforma']) {
		const link = s.page.locator(`main a[href="/orders/${id}/${doc}.pdf"]`);
		assert.equal((await link.innerText()).trim(), s.t(`order.doc_${doc}`));
		const [download, response] = await Promise.all([
			s.page.waitForEvent('download'),
			s.page.waitForResponse((r) => new URL(r.url()).pathname === `/orders/${id}/${doc}.pdf`),
			link.click(),
		]);
		assert.equal(response.status(), 200, `${doc}.pdf status`);
		assert.equal(response.headers()['content-type'], 'application/pdf', `${doc}.pdf content type`);
		assert.equal(download.suggestedFilename(), `qcra-${id}-${doc}.pdf`);
		const file = await download.path();
		const head = fs.readFileSync(file).subarray(0, 5).toString('latin1');
		assert.equal(head, '%PDF-', `${doc}.pdf is a PDF`);
		assert.ok(fs.statSync(file).size > 1000, `${doc}.pdf is not empty`);
		names.push(download.suggestedFilename());
	}
	assert.equal(s.pathname, `/orders/${id}`, 'downloading leaves the order page open');
	return names;
}

/* The member cancels the order from its page, through the confirmation
 * page, the way back taken first (nothing changes). */
export async function cancelOrder(s, id, { shots = false } = {}) {
	const form = `main form[action="/orders/${id}/cancel"]`;
	if (s.pathname !== `/orders/${id}`)
		await s.go(`/orders/${id}`);
	const send = () => s.submit(form);
	const before = (await s.page.locator('main .state strong').innerText()).trim();
	await send();
	await answerConfirmation(s, `/orders/${id}/cancel`, 'ask.cancel_title',
		{ shots, shot: 'order-cancel-confirm', again: send, before });
	await s.expectAt({ path: `/orders/${id}`, h1: 'order.page_title', status: 200 });
	assert.equal((await s.page.locator('main .state strong').innerText()).trim(), s.t('state.cancelled'));
}
