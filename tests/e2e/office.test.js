// The registration authority's back office in a real browser, in Serbian
// and in English, with the real CA service: staff login with TOTP (the
// first login sets up the authenticator), and an order worked from the
// queue to the handover: documents, payment (by hand in Serbian, from a
// pasted bank statement in English), identity check, sending to the CA,
// the CA's shipment received at the office, the member's mail, and the
// handover against the ID number.  The Serbian staff use a desktop, the
// English ones a phone (375x667).
import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { PHONE } from './lib/browser.js';
import { addStaff, caJourney, useCaStack } from './lib/ca.js';
import { ORDER_INPUT, accountFor, newMember, placeOrder } from './lib/journeys.js';
import { linkTo } from './lib/mail.js';
import { LANGS } from './lib/messages.js';
import {
	expectStaffHome, processOrder, staffEnroll, staffLogin, staffLogout,
} from './lib/office.js';
import { demoMembers } from './lib/portal.js';

const stack = useCaStack('office');
const members = demoMembers();

for (const [i, lang] of LANGS.entries()) {
	const acct = accountFor(members[i]);
	const staffViewport = lang === 'en' ? PHONE : undefined;

	describe(`back office (${lang})`, () => {
		caJourney(stack, `test_staff_first_login_sets_up_totp_then_login_needs_a_fresh_code (${lang})`,
			{ lang, staffViewport }, async (_member, op) => {
				const staff = addStaff(stack.portal, { username: `ns.login.${lang}` });
				// No way in without the password.
				await op.go('/ra');
				await op.expectAt({ path: '/ra/login', h1: 'ra.login_title', status: 200 });
				await op.submitForm({ username: staff.username, password: 'not the password at all' });
				await op.expectAt({ path: '/ra/login', status: 422 });
				assert.ok((await op.alerts()).includes(op.t('ra.login_failed')));
				await staffEnroll(op, staff, { shots: true });
				await staffLogout(op);
				// Enrolled: the password alone no longer does.
				await op.submitForm({ username: staff.username, password: staff.password });
				await op.expectAt({ path: '/ra/login', status: 422 });
				assert.ok((await op.alerts()).includes(op.t('ra.login_failed')));
				await staffLogin(op, staff, { replay: true });
				await expectStaffHome(op, staff);
			});

		caJourney(stack, `test_operator_works_an_order_from_the_queue_to_the_handover (${lang})`,
			{ lang, staffViewport }, async (member, op) => {
				await newMember(member, acct);
				const id = await placeOrder(member, acct, 'natural');
				const reference = await member.page.locator('main section[aria-labelledby="print-h"] strong').nth(1).innerText();
				const staff = addStaff(stack.portal, { username: `ns.office.${lang}` });
				await staffEnroll(op, staff);
				const mail = await processOrder(op, member, id, {
					email: acct.member.email,
					reference,
					idNumber: ORDER_INPUT.natural.id_number,
					payer: `${acct.member.first_name} ${acct.member.last_name}`,
					payment: lang === 'sr' ? 'manual' : 'import',
					shots: true,
				});
				// The member follows the mail's link to the order: handed over.
				await member.go(linkTo(mail, `/orders/${id}`));
				await member.expectAt({ path: `/orders/${id}`, h1: 'order.page_title', status: 200 });
				assert.equal(await member.page.locator('main .state strong').innerText(), member.t('state.handed_over'));
				assert.equal(await member.page.locator('main #certificate').count(), 1, 'the order shows its certificate');
				await member.shot('order-handed-over');
			});
	});
}
