// Serbian Cyrillic in a real browser (issue 15.8): one member's journey
// in sr-Cyrl, at 1366x768 and at 375x667, from ?lang=sr-Cyrl on the
// first page (then kept by the portal's cookie) through registration,
// the mailed confirmation, login and a confirmed order to its PDFs read
// back in Cyrillic with pdftotext.  Every page is checked as in the
// other suites (<html lang="sr-Cyrl">, axe-core, no sideways scroll),
// and the texts expected are the Latin catalogue in Cyrillic
// (lib/cyrillic.js, written apart from the portal's transliteration).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe } from 'node:test';

import { DESKTOP, PHONE } from './lib/browser.js';
import { freshDir } from './lib/env.js';
import { accountFor, downloadDocuments, newMember, placeOrder } from './lib/journeys.js';
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

			await newMember(s, acct); /* the confirmation mail's subject in Cyrillic */
			await s.shot('home-member');
			const id = await placeOrder(s, acct, 'natural', { shots: true });
			const main = await s.page.locator('main').innerText();
			assert.ok(main.includes(acct.member.last_name), 'the order page shows the name as typed');
			await s.shot('order');
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
			}
		});
	}
});
