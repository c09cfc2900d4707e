// The issued certificate in a real browser, in Serbian and in English,
// with the real CA service: after the back office hands it over, the
// member sees it on the order page (holder, serial, validity, "valid"),
// downloads it as PEM and DER (a certificate chaining to the CA's root,
// never a key), asks for its revocation; an operator confirms the
// request (with JavaScript off: the confirmation page's way back first
// changes nothing, then it is confirmed); the CA revokes it and the
// member's page says so.  Serbian:
// member on a desktop, operator on a phone; English the other way round.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe } from 'node:test';

import { PHONE } from './lib/browser.js';
import { addStaff, caJourney, useCaStack } from './lib/ca.js';
import {
	certificateFacts, certificateStatus, downloadCertificate, inspectCertificate, openCertificate,
	requestRevocation, waitForCertificateStatus,
} from './lib/certificate.js';
import { ORDER_INPUT, accountFor, newMember, placeOrder } from './lib/journeys.js';
import { LANGS } from './lib/messages.js';
import { confirmRevocation, processOrder, staffCertificatePage, staffEnroll } from './lib/office.js';
import { demoMembers } from './lib/portal.js';

const stack = useCaStack('certificate');
const members = demoMembers();

for (const [i, lang] of LANGS.entries()) {
	const acct = accountFor(members[i]);
	const viewports = lang === 'sr' ? { staffViewport: PHONE } : { memberViewport: PHONE };

	describe(`certificate (${lang})`, () => {
		caJourney(stack, `test_member_sees_downloads_and_revokes_the_issued_certificate (${lang})`,
			{ lang, ...viewports }, async (member, op) => {
				await newMember(member, acct);
				const id = await placeOrder(member, acct, 'natural');
				const staff = addStaff(stack.portal, { username: `ns.cert.${lang}` });
				await staffEnroll(op, staff);
				await processOrder(op, member, id, {
					email: acct.member.email,
					idNumber: ORDER_INPUT.natural.id_number,
					payer: `${acct.member.first_name} ${acct.member.last_name}`,
				});

				// The member sees the certificate...
				await openCertificate(member, id);
				assert.equal(await certificateStatus(member), member.t('cert.status_valid'));
				const facts = await certificateFacts(member);
				// The holder by name, not as the certificate's DN (issue 15).
				assert.equal(facts[member.t('cert.holder')], `${acct.member.first_name} ${acct.member.last_name}`,
					'the certificate\'s holder is the member, by name');
				await member.shot('certificate-valid');

				// ... downloads it: a certificate of the CA, never a key.
				const pem = await downloadCertificate(member, id, 'pem');
				const text = fs.readFileSync(pem, 'utf8');
				assert.match(text, /^-----BEGIN CERTIFICATE-----\n/);
				assert.ok(!text.includes('PRIVATE KEY'), 'no key in the download');
				const x509 = inspectCertificate(pem, stack.ca.dir);
				assert.ok(x509.subject.includes(acct.member.jmbg), `the certificate's subject: ${x509.subject}`);
				assert.equal(x509.serial.replace(/^0+/, ''),
					facts[member.t('cert.serial')].replace(/[^0-9A-Fa-f]/g, '').toUpperCase().replace(/^0+/, ''),
					'the page shows the certificate\'s serial number');
				const der = await downloadCertificate(member, id, 'der');
				assert.equal(inspectCertificate(der, stack.ca.dir, { der: true }).serial, x509.serial,
					'PEM and DER are the same certificate');

				// The operator's certificate page shows it too.
				await staffCertificatePage(op, id);
				assert.equal(await op.page.locator('main .cert-status').innerText(), op.t('cert.status_valid'));
				await op.shot('ra-certificate-valid');
				// ... and the operator downloads the same certificate.
				const staffPem = await downloadCertificate(op, id, 'pem', { staff: true });
				assert.equal(fs.readFileSync(staffPem, 'utf8'), text, 'the operator gets the member\'s certificate');
				const staffDer = await downloadCertificate(op, id, 'der', { staff: true });
				assert.equal(inspectCertificate(staffDer, stack.ca.dir, { der: true }).serial, x509.serial);

				// The member asks for the revocation; the operator confirms it.
				await requestRevocation(member, id, 'keyCompromise', { shots: true });
				await member.shot('certificate-revocation-requested');
				const noJs = await op.clone({ javaScript: false });
				try {
					await confirmRevocation(noJs, id, { shots: true, backFirst: true });
				} finally {
					await noJs.close();
				}

				// The CA revokes it: both pages say so.
				const revoked = member.t('cert.status_revoked').replace('{reason}', member.t('cert.reason_keyCompromise'));
				await waitForCertificateStatus(member, id, revoked);
				assert.equal(await member.page.locator(`main form[action="/orders/${id}/revoke"]`).count(), 0);
				await member.shot('certificate-revoked');
				await staffCertificatePage(op, id);
				assert.equal(await op.page.locator('main .cert-status').innerText(),
					op.t('cert.status_revoked').replace('{reason}', op.t('cert.ra_reason_keyCompromise')));
				assert.equal(await op.page.locator(`main form[action="/ra/orders/${id}/revoke"]`).count(), 0,
					'nothing is left to revoke');
				await op.shot('ra-certificate-revoked');
			});
	});
}
