// The layout measured in a real browser at 1366x768 and 375x667, in
// Serbian and in English (issue 15, point 5): every checkbox beside its
// label; tables with no word broken in the middle (dates, license
// numbers, usernames), no column cut off, rows as cards on a phone;
// "Kancelarije" and "Uputstvo" in everyone's navigation; phone numbers
// and e-mail addresses as tel: and mailto: links; the staff login page
// without the member's navigation; the logged-in header on one line on
// a desktop; a favicon; the member's order panel after the office
// received the documents.  axe-core checks every page on the way
// (Session.checkPage).
import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { PHONE } from './lib/browser.js';
import { addStaff, caJourney, useTestCaStack } from './lib/ca.js';
import { accountFor, newMember, placeOrder } from './lib/journeys.js';
import { assertFavicon, assertLayoutAtBothSizes } from './lib/layout.js';
import { LANGS } from './lib/messages.js';
import { recordDocuments, staffEnroll } from './lib/office.js';
import { demoMembers } from './lib/portal.js';

const stack = useTestCaStack('layout');
const members = demoMembers();

/* Each office's phone and address are links (tel:, mailto:). */
async function assertContactLinks(s, scope) {
	const links = await s.page.evaluate((sel) => [...document.querySelectorAll(sel)].map((sec) => ({
		tel: [...sec.querySelectorAll('a[href^="tel:"]')].map((a) => a.getAttribute('href')),
		mail: [...sec.querySelectorAll('a[href^="mailto:"]')].map((a) => a.getAttribute('href')),
	})), scope);
	assert.ok(links.length > 0, `no ${scope} on ${s.path}`);
	for (const l of links) {
		assert.equal(l.tel.length, 1, `${s.path}: ${scope} has one tel: link`);
		assert.match(l.tel[0], /^tel:\+?\d{6,}$/, `${s.path}: a dialable tel: link`);
		assert.equal(l.mail.length, 1, `${s.path}: ${scope} has one mailto: link`);
		assert.match(l.mail[0], /^mailto:[^@\s]+@[^@\s]+$/, `${s.path}: a mailto: link`);
	}
}

for (const [i, lang] of LANGS.entries()) {
	const acct = accountFor(members[i]);
	const memberViewport = lang === 'en' ? PHONE : undefined;
	const staffViewport = lang === 'sr' ? PHONE : undefined;

	describe(`layout (${lang})`, () => {
		caJourney(stack, `test_public_and_member_pages_fit_both_sizes (${lang})`,
			{ lang, memberViewport, staffViewport }, async (member, op) => {
				await assertFavicon(member);
				for (const p of ['/', '/offices', '/help', '/help/request', '/login', '/register']) {
					await member.go(p);
					await assertLayoutAtBothSizes(member);
				}
				await member.go('/offices');
				await assertContactLinks(member, 'main section.office');
				// The staff login page has no member navigation.
				await op.go('/ra/login');
				await assertLayoutAtBothSizes(op, { staffArea: true });

				await newMember(member, acct);
				await member.go('/certificates/new/natural');
				await assertLayoutAtBothSizes(member);
				const id = await placeOrder(member, acct, 'natural');
				await assertLayoutAtBothSizes(member);
				await assertContactLinks(member, 'main section[aria-labelledby="office-h"]');
				for (const p of ['/', '/orders']) {
					await member.go(p);
					await assertLayoutAtBothSizes(member);
				}
				await member.shotAtBothSizes('layout-orders');

				// The back office: usernames, license numbers and dates in tables.
				const staff = addStaff(stack.portal, { username: `ns.layout.${lang}` });
				await staffEnroll(op, staff);
				await assertLayoutAtBothSizes(op, { staffArea: true });
				await op.go(`/ra/orders/${id}`);
				await recordDocuments(op, id);
				await assertLayoutAtBothSizes(op, { staffArea: true });
				await op.go('/ra/queue');
				await assertLayoutAtBothSizes(op, { staffArea: true });
				await op.shotAtBothSizes('layout-ra-order');

				// The member's panel says where the order is now, and the
				// history names the office, not the operator (point 2).
				await member.go(`/orders/${id}`);
				assert.equal((await member.page.locator('main .panel .panel-where').innerText()).trim(),
					member.t('panel.documents_received.where'));
				assert.equal((await member.page.locator('main .panel .panel-todo').innerText()).trim(),
					member.t('panel.documents_received.todo'));
				const history = await member.page.locator('main section[aria-labelledby="hist-h"]').innerText();
				assert.ok(!history.includes(staff.username), 'the history does not name the operator');
				assert.ok(history.includes(member.t('hist.office').replace('{city}', 'Novi Sad')),
					'the history names the office');
				assert.equal(await member.page.locator('main section[aria-labelledby="docs-h"]').count(), 0,
					'the documents to bring are no longer asked for');
				await assertLayoutAtBothSizes(member);
				await member.shotAtBothSizes('layout-order-panel');
			});

		caJourney(stack, `test_admin_tables_fit_both_sizes (${lang})`,
			{ lang, staffViewport }, async (_member, op) => {
				const admin = addStaff(stack.portal, { username: `admin.layout.${lang}`, role: 'admin', office: null });
				await staffEnroll(op, admin);
				for (const p of ['/ra/operators', '/ra/audit']) {
					await op.go(p);
					await assertLayoutAtBothSizes(op, { staffArea: true });
				}
			});
	});
}
