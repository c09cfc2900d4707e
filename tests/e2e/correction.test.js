// Return for correction in a real browser, in Serbian and in English, on
// the test CA told to refuse: a member's confirmed order worked by the
// office to "verified", refused by the CA at "send" and returned with the
// reason (staff: in their language and the CA's words; the member: plain
// words).  Then either the office corrects the data in the correction
// form (a wrong value refused first) and sends it again, the CA
// accepting and issuing it; or the office returns it to the member with
// a reason (mailed), and the member edits, reviews and confirms it
// again.  Staff use a desktop in Serbian and a phone in English; every
// new page is also looked at in the other size.  Before the refusal the
// CA fails once (5a: its words said once on the order page, the order
// still verified), and the office's refusal pages are seen in Serbian
// Cyrillic too (the Serbian operator's session in Cyrillic).  At the
// end of the second journey the office rejects the order with
// JavaScript off, through the confirmation page (its way back first
// changes nothing).
import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { PHONE } from './lib/browser.js';
import { addStaff, caJourney, useTestCaStack } from './lib/ca.js';
import {
	CA_WORDS, caAccepts, caFails, caRefuses, correctAndConfirm, expectReturnedNote, expectReturnedPanel,
	openCorrection, returnToMember, saveCorrection, sendFailed, sendRefused, timesSaid,
} from './lib/correction.js';
import { accountFor, newMember, placeOrder } from './lib/journeys.js';
import { linkTo } from './lib/mail.js';
import { CYRILLIC, LANGS } from './lib/messages.js';
import {
	openFromQueue, recordDocuments, recordPaymentByHand, rejectOrder, sendToCa, staffEnroll, staffState,
	verifyIdentity, waitForState,
} from './lib/office.js';
import { demoMembers } from './lib/portal.js';

const stack = useTestCaStack('correction');
const members = demoMembers();

/* The member's confirmed order through the back office to "verified". */
async function toVerified(op, id, acct) {
	await openFromQueue(op, id);
	await recordDocuments(op, id);
	await recordPaymentByHand(op, id, { payer: `${acct.member.first_name} ${acct.member.last_name}` });
	await verifyIdentity(op, id);
}

/* "Send" with the test CA refusing for `code` (with `fail`, failing
 * first); it accepts again after.  `cyrl`, the operator's session in
 * Serbian Cyrillic, sees the failure and the refusal too. */
async function refusedAtSend(op, id, code, { fail = false, cyrl } = {}) {
	try {
		if (fail) {
			caFails(stack.portal);
			await sendFailed(op, id, { shots: true });
			if (cyrl !== undefined) {
				await cyrl.go(`/ra/orders/${id}`);
				await sendFailed(cyrl, id, { shots: true });
			}
			await op.go(`/ra/orders/${id}`);
		}
		caRefuses(stack.portal, code);
		await sendRefused(op, id, code, { shots: true });
	} finally {
		caAccepts(stack.portal);
	}
	if (cyrl !== undefined) {
		await cyrl.go(`/ra/orders/${id}?done=returned`);
		assert.ok((await cyrl.alerts()).includes(cyrl.t('bo.done_returned')));
		await expectReturnedNote(cyrl, code);
		assert.equal(await timesSaid(cyrl, CA_WORDS[code]), 1, 'the CA\'s words are said once');
		await cyrl.shotAtBothSizes('ra-order-returned');
	}
}

const TOO_LONG_FOR_A_CERTIFICATE = 'Projektni biro Šumadija za projektovanje, nadzor i izgradnju objekata d.o.o.';

for (const [i, lang] of LANGS.entries()) {
	const staffViewport = lang === 'en' ? PHONE : undefined;

	describe(`return for correction (${lang})`, () => {
		caJourney(stack, `test_office_corrects_a_refused_order_and_sends_it_again (${lang})`,
			{ lang, staffViewport }, async (member, op) => {
				const acct = accountFor(members[2 * i]);
				await newMember(member, acct);
				const id = await placeOrder(member, acct, 'legal');
				const staff = addStaff(stack.portal, { username: `kg.fix.${lang}`, office: 'KG' });
				await staffEnroll(op, staff);
				await toVerified(op, id, acct);
				const cyrl = lang === 'sr' ? await op.clone({ lang: CYRILLIC }) : undefined;
				try {
					await refusedAtSend(op, id, 'invalid_organization', { fail: true, cyrl });
				} finally {
					await cyrl?.close();
				}
				await expectReturnedPanel(member, id, 'invalid_organization', { shots: true });

				await openCorrection(op, id, 'invalid_organization', { shots: true });
				await saveCorrection(op, id, {
					bad: { company_cert_name: [TOO_LONG_FOR_A_CERTIFICATE, 'field.org_too_long'] },
					values: { company_cert_name: 'PB Šumadija d.o.o.' },
					shots: true,
				});
				await sendToCa(op, id);
				assert.equal(await staffState(op), op.t('state.sent_to_ca'));
				assert.equal(await op.page.locator('main .alert[role=note]').count(), 0, 'no longer returned');
				stack.portal.testca('issue', '--order', String(id));
				await waitForState(op, id, 'issued');
				await op.shot('ra-order-corrected-issued');

				await member.go(`/orders/${id}`);
				assert.equal(await member.page.locator('main .state strong').innerText(), member.t('state.issued'));
				assert.ok((await member.page.locator('main table.data').first().innerText()).includes('PB Šumadija d.o.o.'),
					'the member\'s order shows the corrected name');
			});

		caJourney(stack, `test_office_returns_a_refused_order_to_the_member_who_confirms_it_again (${lang})`,
			{ lang, staffViewport }, async (member, op) => {
				const acct = accountFor(members[2 * i + 1]);
				await newMember(member, acct);
				const id = await placeOrder(member, acct, 'natural');
				const staff = addStaff(stack.portal, { username: `ns.return.${lang}` });
				await staffEnroll(op, staff);
				await toVerified(op, id, acct);
				await refusedAtSend(op, id, 'invalid_given_name');

				const reason = lang === 'sr'
					? 'Upišite ime tačno kao u ličnoj karti i označite da se razlikuje od registra.'
					: 'Enter your first name exactly as on your identity card and tick that it differs from the register.';
				const mail = await returnToMember(op, member, id, { reason, email: acct.member.email, shots: true });
				await member.go(linkTo(mail, `/orders/${id}`));
				await expectReturnedPanel(member, id, 'invalid_given_name', { toMember: true, reason, shots: true });
				const first = `${acct.member.first_name}-Marija`;
				await correctAndConfirm(member, id, {
					values: { name_differs: true, first_name: first, last_name: acct.member.last_name },
					shown: [first, acct.member.last_name],
					shots: true,
				});

				// The office sees it back, waiting for the newly signed papers,
				// with a name to check against the identity document.
				await op.go(`/ra/orders/${id}`);
				assert.equal(await staffState(op), op.t('state.payment_received'));
				assert.ok((await op.page.locator('main').innerText()).includes(op.t('bo.name_differs_note')));
				assert.ok((await op.page.locator('main section[aria-labelledby="hist-h"] tbody').innerText())
					.includes(op.t('note.corrected_by_member')));
				await op.shot('ra-order-confirmed-again');

				// Point 4: rejecting asks first, without JavaScript too.
				const noJs = await op.clone({ javaScript: false });
				try {
					await rejectOrder(noJs, id, reason, { shots: true });
				} finally {
					await noJs.close();
				}
			});
	});
}
