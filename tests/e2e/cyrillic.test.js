// Serbian Cyrillic in a real browser (issue 15.8): one member's journey
// in sr-Cyrl, at 1366x768 and at 375x667, from ?lang=sr-Cyrl on the
// first page (then kept by the portal's cookie) through registration,
// the mailed confirmation, login and a confirmed order to its PDFs read
// back in Cyrillic with pdftotext.  Every page is checked as in the
// other suites (<html lang="sr-Cyrl">, axe-core, no sideways scroll),
// and the texts expected are the Latin catalogue in Cyrillic
// (lib/cyrillic.js, written apart from the portal's transliteration).
// The catalogue's addresses are Cyrillic too (the offices' streets and
// cities, the chamber's): on /offices, the order page, the confirmation
// mail and the PDFs no word is left in Latin but what the member typed
// and the identifiers point 8 keeps; the payment reference is written
// as on the order page ("95 00000001", point 3).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe } from 'node:test';

import { DESKTOP, PHONE } from './lib/browser.js';
import { catalog, value } from './lib/catalog.js';
import { latinWords, toCyrillic } from './lib/cyrillic.js';
import { freshDir } from './lib/env.js';
import { ORDER_INPUT, accountFor, downloadDocuments, newMember, placeOrder } from './lib/journeys.js';
import { CYRILLIC } from './lib/messages.js';
import { demoMembers } from './lib/portal.js';
import { journey, useStack } from './lib/suite.js';

const stack = useStack('cyrillic');
const members = demoMembers();

/* The text of the order's document as the member downloads it. */
async function documentText(s, id, doc) {
	const res = await s.context.request.get(s.portal.url(`/orders/${id}/${doc}.pdf`));
	assert.equal(res.status(), 200, `${doc}.pdf status`);
	const file = path.join(freshDir('cyrillic-pdf'), `${doc}.pdf`);
	fs.writeFileSync(file, await res.body());
	return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

/* An office's address as the catalogue writes it, in Cyrillic. */
function officeAddress(code) {
	const o = catalog()[`office ${code}`];
	return toCyrillic(`${o.street}, ${o.postal_code} ${o.city}`);
}

/* What the member typed (kept as typed on every page and document). */
function typed(acct) {
	const m = acct.member;
	const i = ORDER_INPUT.natural;
	return [`${m.first_name} ${m.last_name}`, m.first_name, m.last_name, m.email, i.id_issuer, i.street, i.city];
}

describe('Serbian Cyrillic', () => {
	for (const [i, viewport] of [DESKTOP, PHONE].entries()) {
		const acct = accountFor(members[4 + i]);
		const size = `${viewport.width}x${viewport.height}`;

		journey(stack, `test_member_journey_in_cyrillic (${size})`, { lang: CYRILLIC, viewport }, async (s) => {
			await s.expectAt({ path: '/', h1: 'home.heading', status: 200 });
			assert.equal(await s.page.locator('header nav a[hreflang="sr"]').innerText(), 'Latinica');
			assert.equal(await s.page.locator('header nav a[hreflang="en"]').innerText(), 'English');
			await s.shot('home');
			for (const [page, h1] of [['/help', 'help.title'], ['/help/request', 'help.request_title'],
				['/offices', 'offices.title']]) {
				await s.go(page);
				await s.expectAt({ h1, status: 200 });
			}
			await s.shot('offices');
			const offices = await s.page.locator('main section.office').allInnerTexts();
			const codes = Object.keys(catalog()).filter((k) => k.startsWith('office ')).map((k) => k.slice(7));
			assert.equal(offices.length, codes.length, 'every office is listed');
			for (const [j, code] of codes.entries())
				assert.ok(offices[j].replace(/\s+/g, ' ').includes(officeAddress(code)),
					`/offices gives ${code}'s address in Cyrillic: ${offices[j]}`);
			assert.deepEqual(latinWords(await s.page.locator('main').innerText()), [],
				'/offices has no word in Latin but e-mail addresses and identifiers');

			await newMember(s, acct); /* the confirmation mail's subject in Cyrillic */
			await s.shot('home-member');
			const id = await placeOrder(s, acct, 'natural', { shots: true });
			const main = await s.page.locator('main').innerText();
			assert.ok(main.includes(acct.member.last_name), 'the order page shows the name as typed');
			await s.shot('order');
			const office = officeAddress(ORDER_INPUT.natural.office);
			const reference = await s.page.locator('main section[aria-labelledby="print-h"] strong').nth(1).innerText();
			assert.ok(main.replace(/\s+/g, ' ').includes(office), `the order page gives the office's address: ${office}`);
			const mail = await s.portal.mail.next({ to: acct.member.email, subject: s.t('mail.order_confirmed.subject').replace('{id}', id) });
			assert.ok(mail.body.replace(/\s+/g, ' ').includes(office), 'the confirmation mail gives the office\'s address');
			assert.deepEqual(latinWords(mail.body, typed(acct)), [], 'the confirmation mail has no word in Latin but identifiers');
			await downloadDocuments(s, id);

			const titles = {
				request: 'Захтев за издавање квалификованог електронског',
				contract: 'Уговор о издавању квалификованог електронског',
				proforma: 'Предрачун',
			};
			for (const [doc, title] of Object.entries(titles)) {
				const text = await documentText(s, id, doc);
				assert.ok(text.includes(title), `${doc}.pdf is in Cyrillic`);
				assert.ok(text.includes(acct.member.last_name), `${doc}.pdf has the name as typed`);
				if (doc !== 'proforma')
					assert.ok(text.replace(/\s+/g, ' ').includes(office), `${doc}.pdf gives the office's address`);
				assert.ok(text.replace(/\s+/g, ' ').includes(reference), `${doc}.pdf writes the reference as the page does (${reference})`);
				/* Kept as written: the bank's own name (a foreign one), the
				 * CA's name (as its certificates write it) and the payment's
				 * purpose, which the IPS QR code carries. */
				const kept = [...typed(acct), catalog().seller.bank, catalog().seller.ca_name,
					value('seller', 'purpose', 'sr')];
				if (doc !== 'proforma')
					assert.ok(text.includes(catalog().seller.ca_name), `${doc}.pdf names the CA as written`);
				assert.deepEqual(latinWords(text, kept), [],
					`${doc}.pdf has no word in Latin but what the member typed and identifiers`);
			}
		});
	}
});
