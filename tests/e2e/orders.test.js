// Ordering a certificate in a real browser, in Serbian and in English:
// a natural-person and a legal-entity request from the instructions page
// to the confirmed order, and its three PDFs downloaded; then the member,
// with JavaScript off, cancels the legal entity's order through the
// confirmation page (its way back first changes nothing).
import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { accountFor, cancelOrder, downloadDocuments, login, newMember, placeOrder } from './lib/journeys.js';
import { LANGS } from './lib/messages.js';
import { demoMembers } from './lib/portal.js';
import { journey, useStack } from './lib/suite.js';

const stack = useStack('orders');
const members = demoMembers();

for (const [i, lang] of LANGS.entries()) {
	const acct = accountFor(members[2 + i]);
	const placed = [];

	describe(`orders (${lang})`, () => {
		journey(stack, `test_natural_person_order_is_confirmed_and_its_pdfs_download (${lang})`,
			{ lang }, async (s) => {
				await newMember(s, acct);
				await s.go('/orders');
				await s.expectAt({ h1: 'orders.title', status: 200 });
				assert.ok((await s.page.locator('main').innerText()).includes(s.t('orders.none')));
				await s.go('/certificates/new');
				await s.shot('certificates-new');
				const id = await placeOrder(s, acct, 'natural', { shots: true });
				placed.push(id);
				await downloadDocuments(s, id);
			});

		journey(stack, `test_legal_entity_order_is_confirmed_and_its_pdfs_download (${lang})`,
			{ lang }, async (s) => {
				await login(s, acct);
				const id = await placeOrder(s, acct, 'legal', { shots: true });
				placed.push(id);
				await downloadDocuments(s, id);
				await s.go('/orders');
				await s.expectAt({ h1: 'orders.title', status: 200 });
				for (const n of placed)
					assert.equal(await s.page.locator(`main table a[href="/orders/${n}"]`).count(), 1,
						`order ${n} is listed`);
				await s.shot('orders');

				// Point 4: cancelling asks first, without JavaScript too.
				const noJs = await s.clone({ javaScript: false });
				try {
					await cancelOrder(noJs, id, { shots: true });
				} finally {
					await noJs.close();
				}
			});
	});
}
