// Issue 15 in every language and size: one member's journey and one
// operator's for each of sr, sr-Cyrl and en at 1366x768 and 375x667 (six
// journeys on one seeded portal, with the real CA service, and one
// browser, three at a time).  Each
// page reached is measured (lib/layout.js), audited by axe-core at its
// own size (auditEachSize) and saved as a screenshot i15-*.png under
// screenshots/<lang>-<size>/.  The texts expected are the catalogue's
// (messages/*.txt with the [brand] of data/catalog.ini filled in, in
// Cyrillic by lib/cyrillic.js), never copied here.  What each journey
// checks, by the issue's points:
//   2  the order page's panel (where, what next, what to do, by when),
//      the home page's open orders, the history's roles and places
//      (never the operator's username), the holder by name;
//   3  the payment reference, model 97 apart and "95 00000001", on the
//      member's and the office's pages (the same on both);
//   4  the office's payment and handover asked first, in a browser with
//      JavaScript off: the confirmation page's way back changes nothing,
//      asked again and confirmed, it is done;
//   5  layout: checkboxes, tables, cards, navigation, tel:/mailto:, the
//      staff login without the member's navigation, the header on one
//      line at 1366 px, the favicon;
//   5a the office's certificate page offers PEM and DER, which download
//      as the member's certificate (read by openssl);
//   6  the price list from the tariff (net + VAT = total), the review's
//      breakdown, the CA's documents beside the consent and on the help
//      pages, the filling guide in a new tab with what was typed kept;
//   7  a surname error names the surname, an unticked box asks for the
//      tick, the Secretariat named once, the pick-up note of an ID card;
//   8  <html lang> and every text checked in the session's script;
//   9  the chamber, site and support contacts from the catalogue.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { DESKTOP, PHONE, Session } from './lib/browser.js';
import { addStaff, useCaStack } from './lib/ca.js';
import { brand, catalog, pattern, tariffs, text, value } from './lib/catalog.js';
import { inspectCertificate } from './lib/certificate.js';
import { factRows } from './lib/checks.js';
import { freshDir } from './lib/env.js';
import { ORDER_INPUT, accountFor, newMember, openOrderForm, placeOrder } from './lib/journeys.js';
import { assertFavicon, assertLayoutHere } from './lib/layout.js';
import { CYRILLIC } from './lib/messages.js';
import { paymentFacts, processOrder, staffCertificatePage, staffEnroll } from './lib/office.js';
import { demoMembers } from './lib/portal.js';

const stack = useCaStack('matrix'); /* the real CA service: a certificate to hold and download */
const members = demoMembers();
const COMBOS = ['sr', CYRILLIC, 'en'].flatMap((lang) => [DESKTOP, PHONE].map((viewport) => ({ lang, viewport })));
const JOURNEY_TIMEOUT_MS = 480000;
const OFFICES = ['NS', 'KG', 'NI', 'SU', 'KV', 'CA'];

/* A sum of money as the page writes it ("4.680,00" or "4,680.00") in para. */
const para = (s) => Number(String(s).replace(/[^0-9]/g, ''));

/* The page's texts, as read (textContent: no CSS text-transform). */
async function texts(s, selector) {
	return (await s.page.locator(selector).evaluateAll((els) => els.map((e) => e.textContent.trim().replace(/\s+/g, ' '))));
}

/* Where the session is and what it shows, at its size, with a screenshot:
 * the heading (a messages key), the layout, the chamber's name and the
 * support address from the catalogue (point 9). */
async function checkHere(s, name, { h1, staffArea = false } = {}) {
	if (h1 !== undefined)
		await s.expectAt({ h1, status: 200 });
	await assertLayoutHere(s, { staffArea });
	const l = s.lang;
	assert.deepEqual(await texts(s, 'header .brand'), [text(l, 'site.name')], `${s.path}: the site's name`);
	assert.ok((await s.page.locator('footer a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))))
		.includes(`mailto:${brand('support_email', l)}`), `${s.path}: the footer's support address`);
	await s.shot(`i15-${name}`);
}

/* The CA's three documents from the catalogue, each in a new tab with
 * rel=noopener and saying so (point 6). */
async function assertCaDocuments(s, scope) {
	const links = await s.page.locator(`${scope} a`).evaluateAll((as) => as.map((a) => ({
		href: a.getAttribute('href'), target: a.getAttribute('target'), rel: a.getAttribute('rel'),
		text: a.textContent.replace(/\s+/g, ' ').trim(),
	})));
	assert.deepEqual(links.map((a) => a.href),
		['ca_terms_url', 'ca_cps_url', 'ca_pds_url'].map((k) => catalog().brand[k]), `${s.path}: the CA's documents`);
	for (const [a, key] of links.map((a, i) => [a, ['terms', 'cps', 'pds'][i]])) {
		assert.equal(a.target, '_blank', `${a.href} opens in a new tab`);
		assert.match(a.rel, /\bnoopener\b/, `${a.href} has rel=noopener`);
		assert.equal(a.text, `${text(s.lang, `ca_docs.${key}`)} ${text(s.lang, 'link.new_tab')}`);
	}
}

/* The public pages and the staff login (points 5, 6, 7, 8, 9). */
async function publicPages(s, op) {
	const l = s.lang;
	await checkHere(s, 'home', { h1: 'home.heading' });
	await assertFavicon(s);
	const nav = Object.fromEntries(await s.page.locator('header nav a').evaluateAll((as) =>
		as.map((a) => [a.getAttribute('href'), a.textContent.trim()])));
	assert.equal(nav['/offices'], text(l, 'nav.offices'));
	assert.equal(nav['/help'], text(l, 'nav.help'));

	await s.go('/offices');
	await checkHere(s, 'offices', { h1: 'offices.title' });
	const offices = Object.keys(catalog()).filter((k) => k.startsWith('office '));
	assert.deepEqual(await texts(s, 'main section.office h2'), offices.map((o) => value(o, 'name', l)),
		'each office named once, as the catalogue names it (the Secretariat once)');
	const contacts = await s.page.locator('main section.office').evaluateAll((secs) => secs.map((sec) => [
		sec.querySelector('a[href^="tel:"]')?.getAttribute('href'),
		sec.querySelector('a[href^="mailto:"]')?.getAttribute('href'),
	]));
	assert.deepEqual(contacts, offices.map((o) => [`tel:${catalog()[o].phone.replace(/\s/g, '')}`,
		`mailto:${catalog()[o].email}`]), 'each office\'s phone and e-mail are tel: and mailto: links');

	await s.go('/help');
	await checkHere(s, 'help'); /* its heading is the help page's own */
	await assertCaDocuments(s, 'main ul.ca-docs');
	const hrefs = await s.page.locator('main a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
	assert.ok(hrefs.includes(`mailto:${brand('support_email', l)}`), 'the help page mails the support');
	assert.ok(hrefs.includes(`tel:${brand('support_phone', l).replace(/\s/g, '')}`), 'the help page calls the support');
	assert.ok(hrefs.includes('/prices'), 'the help page links the price list');

	await s.go('/help/request');
	await checkHere(s, 'help-request');
	await assertCaDocuments(s, 'main ul.ca-docs');
	const guide = await s.page.locator('main').innerText();
	for (const [k, d] of Object.entries(catalog()).filter(([k]) => k.startsWith('document ')))
		assert.ok(guide.replace(/\s+/g, ' ').includes(value(k, 'text', l)),
			`the guide lists ${k} (${d.types}): natural and legal persons`);

	await s.go('/prices');
	await checkHere(s, 'prices', { h1: 'prices.title' });
	const rows = await s.page.locator('main table.prices tbody tr').evaluateAll((trs) =>
		trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
	const seller = catalog().seller;
	const nets = [...tariffs().map((x) => x.price), Number(seller.card_reader_price)];
	assert.deepEqual(rows.map((r) => para(r[1])), nets, 'the price list is the tariff and the card reader');
	for (const r of rows) {
		assert.equal(para(r[2]), Math.round(para(r[1]) * Number(seller.vat_pct) / 100), `the VAT of ${r[0]}`);
		assert.equal(para(r[3]), para(r[1]) + para(r[2]), `the total of ${r[0]}`);
	}
	assert.equal(rows.at(-1)[0], value('seller', 'card_reader_name', l));

	for (const [p, h1] of [['/register', 'register.title'], ['/login', 'login.title']]) {
		await s.go(p);
		await checkHere(s, p.slice(1), { h1 });
	}

	// The staff login: none of the member's navigation.
	await op.go('/ra/login');
	await checkHere(op, 'ra-login', { h1: 'ra.login_title', staffArea: true });
}

/* The order form: the surname's and the consent's errors, the CA's
 * documents beside the consent, and the guide in a new tab with what
 * was typed kept (points 5, 6, 7). */
async function orderForm(s) {
	await openOrderForm(s, 'natural');
	await checkHere(s, 'order-form', { h1: 'order.form_title' });
	await assertCaDocuments(s, 'main .consent-docs ul.ca-docs');
	const manual = s.page.locator('main p.manual a');
	assert.equal(await manual.getAttribute('target'), '_blank');
	assert.match(await manual.getAttribute('rel'), /\bnoopener\b/);
	await s.fill({ street: ORDER_INPUT.natural.street });
	const [guide] = await Promise.all([s.context.waitForEvent('page'), manual.click()]);
	await guide.waitForLoadState('load');
	assert.equal(new URL(guide.url()).pathname, '/help/request', 'the guide opens in a new tab');
	await guide.close();
	assert.equal(s.pathname, '/certificates/new/natural', 'the form stays open');
	assert.equal(await s.page.inputValue('main [name="street"]'), ORDER_INPUT.natural.street, 'what was typed is kept');

	await s.submitForm({ last_name: '.Perić', consent: false });
	await s.expectAt({ status: 422 });
	assert.equal((await s.page.locator('main #e-last_name').innerText()).trim(),
		text(s.lang, 'field.name_start', { field: text(s.lang, 'field.last_name') }), 'the surname\'s error names it');
	assert.equal((await s.page.locator('main #e-consent').innerText()).trim(), text(s.lang, 'field.required_check'),
		'an unticked box is asked to be ticked');
	await checkHere(s, 'order-form-errors');
}

/* The review's breakdown: the tariff of the validity and the card
 * reader, net, VAT and total adding up (point 6). */
async function review(s) {
	await checkHere(s, 'order-review', { h1: 'order.review_title' });
	const seller = catalog().seller;
	const rows = await factRows(s.page, 'main table.breakdown tr');
	const l = s.lang;
	const tariff = Number(catalog()[`tariff ${ORDER_INPUT.natural.validity}`].price);
	const reader = Number(seller.card_reader_price);
	assert.equal(para(rows[value(`tariff ${ORDER_INPUT.natural.validity}`, 'name', l)]), tariff, 'the tariff line');
	assert.equal(para(rows[value('seller', 'card_reader_name', l)]), reader, 'the card reader line');
	const net = para(rows[text(l, 'order.net')]);
	const vat = para(rows[text(l, 'prices.vat', { pct: seller.vat_pct })]);
	assert.equal(net, tariff + reader, 'the net sum');
	assert.equal(vat, Math.round(net * Number(seller.vat_pct) / 100), 'the VAT');
	assert.equal(para(rows[text(l, 'order.total')]), net + vat, 'the total');
}

/* The member's order page: panel of `state`, and what it says beside. */
async function expectPanel(s, id, state) {
	await s.go(`/orders/${id}`);
	await s.expectAt({ path: `/orders/${id}`, h1: 'order.page_title', status: 200 });
	const l = s.lang;
	assert.equal((await texts(s, 'main .state strong'))[0], text(l, `state.${state}`));
	assert.match((await texts(s, 'main .panel .panel-where'))[0], pattern(l, `panel.${state}.where`));
	assert.match((await texts(s, 'main .panel .panel-next'))[0], pattern(l, `panel.${state}.next`));
	const todo = (await texts(s, 'main .panel .panel-todo'))[0];
	assert.match(todo, pattern(l, catalogHas(l, `panel.${state}.todo`) ? `panel.${state}.todo` : 'panel.nothing'));
	const panel = await s.page.locator('main .panel').innerText();
	assert.ok(!/\.\./.test(panel), `a sentence of the panel ends in two full stops: ${panel}`);
	const history = await s.page.locator('main section[aria-labelledby="hist-h"]').innerText();
	assert.ok(history.includes(text(l, 'hist.you')), 'the history names the member as "you"');
	return history;
}

function catalogHas(lang, key) {
	try {
		text(lang, key);
		return true;
	} catch {
		return false;
	}
}

describe('issue 15 in sr, sr-Cyrl and en at 1366x768 and 375x667', { concurrency: 3 }, () => {
	for (const [i, { lang, viewport }] of COMBOS.entries()) {
		const size = `${viewport.width}x${viewport.height}`;
		const acct = accountFor(members[i]);
		/* An office of its own: the CA ships each office's certificates
		 * together, and a shipment is received once. */
		acct.office = OFFICES[i];
		const code = lang === CYRILLIC ? 'cyrl' : lang;

		it(`test_every_point_in_${code}_at_${size}`, { timeout: JOURNEY_TIMEOUT_MS }, async () => {
			const opts = { lang, viewport, auditEachSize: true };
			const s = await Session.open(stack.browser, stack.portal, opts);
			const op = await Session.open(stack.browser, stack.portal, { ...opts, javaScript: false });
			try {
				await journey(s, op, acct, code);
			} catch (e) {
				for (const [who, x] of [['member', s], ['staff', op]])
					e.message += `\n  ${who} at ${x.path}: ${await x.shot(`FAILED-i15-${who}`).catch(() => '')}`;
				e.message += `\n  portal log (${stack.portal.server.logPath}):\n${stack.portal.server.logTail(15)}`;
				throw e;
			} finally {
				await op.close();
				await s.close();
			}
		});
	}
});

async function journey(s, op, acct, code) {
	const l = s.lang;
	const m = acct.member;
	await publicPages(s, op);

	await newMember(s, acct);
	await checkHere(s, 'home-member', { h1: 'home.heading' });
	await orderForm(s);
	const input = { ...ORDER_INPUT.natural, office: acct.office };
	const id = await placeOrder(s, acct, 'natural', { input, onReview: review });
	await checkHere(s, 'order-confirmed');
	const reference = (await texts(s, 'main section[aria-labelledby="print-h"] strong'))[1];
	assert.equal((await texts(s, 'main section[aria-labelledby="docs-h"]')).length, 1, 'the documents to bring');
	const pickup = (await texts(s, 'main section[aria-labelledby="office-h"]'))[0];
	assert.ok(pickup.includes(text(l, 'order.pickup_note')), 'the pick-up note names the ID card');
	await expectPanel(s, id, 'confirmed');
	assert.match((await texts(s, 'main .panel .panel-by'))[0], pattern(l, 'panel.deadline'));
	await checkHere(s, 'order-panel-confirmed');
	await s.go('/');
	const open = await s.page.locator(`main ul.open-orders li:has(a[href="/orders/${id}"])`)
		.evaluateAll((lis) => lis.map((li) => li.querySelector('.panel-line').textContent.trim()));
	assert.equal(open.length, 1, 'the home page lists the open order');
	assert.match(open[0], pattern(l, 'panel.confirmed.where'), 'with its panel line');
	await checkHere(s, 'home-open-orders', { h1: 'home.heading' });

	// The office, in a browser with JavaScript off.
	const staff = addStaff(stack.portal, { username: `op.i15.${code}.${s.viewport.width}`, office: acct.office });
	await staffEnroll(op, staff);
	await checkHere(op, 'ra-home', { h1: 'ra.home_title', staffArea: true });
	const city = value(`office ${acct.office}`, 'city', l);
	await processOrder(op, s, id, {
		email: m.email,
		idNumber: ORDER_INPUT.natural.id_number,
		payer: `${m.first_name} ${m.last_name}`,
		backFirst: true,
		afterDocuments: async () => {
			assert.equal((await paymentFacts(op)).reference, reference, 'the office shows the member\'s reference');
			await checkHere(op, 'ra-order', { h1: 'bo.order_title', staffArea: true });
			const history = await expectPanel(s, id, 'documents_received');
			assert.ok(history.includes(text(l, 'hist.office', { city })), 'the history names the office');
			assert.ok(!history.includes(staff.username), 'the history does not name the operator');
			assert.equal(await s.page.locator('main section[aria-labelledby="docs-h"]').count(), 0,
				'the documents are no longer asked for');
			await checkHere(s, 'order-panel-documents');
		},
	});
	await checkHere(op, 'ra-order-handed-over', { staffArea: true });

	// 5a: the office downloads the certificate.
	await staffCertificatePage(op, id);
	await checkHere(op, 'ra-certificate', { staffArea: true });
	const dir = freshDir(`i15-cert-${code}-${s.viewport.width}`);
	const seen = [];
	for (const kind of ['pem', 'der']) {
		const link = op.page.locator(`main a[href="/ra/orders/${id}/certificate.${kind}"]`);
		assert.equal((await link.innerText()).trim(), text(l, `cert.download_${kind}`));
		const res = await op.context.request.get(op.portal.url(`/ra/orders/${id}/certificate.${kind}`));
		assert.equal(res.status(), 200, `the office's ${kind}`);
		const file = path.join(dir, `certificate.${kind}`);
		fs.writeFileSync(file, await res.body());
		/* openssl x509 -inform PEM|DER -noout -subject (PEM: and its chain) */
		const x509 = inspectCertificate(file, stack.ca.dir, { der: kind === 'der' });
		assert.ok(x509.subject.includes(m.jmbg), `the office's ${kind} is the member's certificate: ${x509.subject}`);
		seen.push(x509);
	}
	assert.deepEqual(seen[0], seen[1], 'PEM and DER are the same certificate');

	// The member: handed over, the holder by name, roles and places.
	const history = await expectPanel(s, id, 'handed_over');
	for (const who of [text(l, 'hist.office', { city }), text(l, 'hist.ca')])
		assert.ok(history.includes(who), `the history names ${who}`);
	assert.ok(!history.includes(staff.username), 'the history does not name the operator');
	const facts = await factRows(s.page, 'main #certificate table.facts tr');
	assert.equal(facts[text(l, 'cert.holder')], `${m.first_name} ${m.last_name}`, 'the holder by name');
	await checkHere(s, 'order-handed-over');
}
