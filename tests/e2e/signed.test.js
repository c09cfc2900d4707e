// A signed document whose certificate names no JMBG (issue 19, point 1)
// in a real browser, in Serbian and in English: the member's order page
// says it awaits the office; the office's order page shows the
// certificate beside the request, and the operator confirms the signer
// through the confirmation page (Serbian: desktop, JavaScript on;
// English: a phone with JavaScript off).  axe-core checks every page.
// The held signature is written into the database as app/sign.c records
// it: signing a PDF in the browser is the HTTP tests' part (signed,
// signed_ca), the pages are this file's.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe } from 'node:test';

import { PHONE } from './lib/browser.js';
import { addStaff, caJourney, useTestCaStack } from './lib/ca.js';
import { accountFor, newMember, placeOrder } from './lib/journeys.js';
import { LANGS } from './lib/messages.js';
import { answerConfirmation, staffEnroll } from './lib/office.js';
import { demoMembers } from './lib/portal.js';

const stack = useTestCaStack('signed');
const members = demoMembers();

/* Order id's request as signed with another CA's certificate: held. */
function heldSignature(portal, id) {
	const now = Math.floor(Date.now() / 1000);
	execFileSync('sqlite3', [path.join(portal.var, 'qcra.db'),
		'INSERT INTO order_signatures (order_id, doc, signer, serial, status, signed_at, ' +
		'verified_at, review, signer_name, signer_sn, issuer) VALUES (' +
		`${id}, 'request', '/C=RS/CN=Petar Petrović/serialNumber=IDCRS-12345678', '2A', ` +
		`'ocsp:good', ${now}, ${now}, 1, 'Petar Petrović', 'IDCRS-12345678', ` +
		"'/C=RS/O=Drugo sertifikaciono telo/CN=Drugi kvalifikovani CA')"]);
}

for (const [i, lang] of LANGS.entries()) {
	const acct = accountFor(members[i], '.signed');
	const staffViewport = lang === 'en' ? PHONE : undefined;

	describe(`signer confirmed by the office (${lang})`, () => {
		caJourney(stack, `test_office_confirms_a_signer_the_certificate_does_not_name (${lang})`,
			{ lang, staffViewport }, async (member, staff) => {
				await newMember(member, acct);
				const id = await placeOrder(member, acct, 'natural');
				heldSignature(stack.portal, id);
				await member.go(`/orders/${id}`);
				await member.expectAt({ path: `/orders/${id}`, h1: 'order.page_title', status: 200 });
				assert.ok((await member.alerts()).includes(member.t('sign.held')), 'the member is told it awaits the office');
				await member.shot('signed-held');

				const who = addStaff(stack.portal, { username: `ns.sign.${lang}` });
				await staffEnroll(staff, who);
				const op = lang === 'en' ? await staff.clone({ javaScript: false }) : staff;
				try {
					await op.go(`/ra/orders/${id}`);
					await op.expectAt({ path: `/ra/orders/${id}`, h1: 'bo.order_title', status: 200 });
					const held = op.page.locator('main section[aria-labelledby="held-request-h"]');
					const text = await held.innerText();
					for (const s of ['Petar Petrović', 'IDCRS-12345678', 'Drugi kvalifikovani CA', acct.member.jmbg])
						assert.ok(text.includes(s), `the office sees ${s}`);
					await op.shot('signed-held-office');
					await op.click(held.locator('button[value="confirm"]'));
					await answerConfirmation(op, `/ra/orders/${id}/signed`, 'ask.sign_confirm_title', { shots: true, shot: 'signed-ask' });
					await op.expectAt({ path: `/ra/orders/${id}`, h1: 'bo.order_title', status: 200 });
					assert.ok((await op.alerts()).includes(op.t('bo.done_sign_confirm')));
					assert.equal(await op.page.locator('main section[aria-labelledby="held-request-h"]').count(), 0);
				} finally {
					if (op !== staff)
						await op.context.close();
				}
				await member.go(`/orders/${id}`);
				assert.ok((await member.alerts()).some((a) => a.startsWith(member.t('sign.signed').split(':')[0])),
					'the member sees it signed and verified');
			});
	});
}
