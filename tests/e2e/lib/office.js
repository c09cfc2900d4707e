// What registration-authority staff do in the back office (/ra), one
// function per step, each checking where it lands and what the page
// says (texts from messages/*.txt): login with TOTP (first login sets up
// the authenticator), the queue, the order's documents, payments (by
// hand or from a bank statement), the identity check, sending to the CA,
// the CA's shipment, the handover; and the certificate page where a
// revocation is confirmed.  `op` is the staff member's Session, `staff`
// an account from addStaff() (lib/ca.js).
import assert from 'node:assert/strict';

import { assertFormErrors, factRows } from './checks.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ---- Login ---------------------------------------------------------------- */

/* The first login: password only, then the authenticator set-up page
 * (QR code and key), a malformed code refused, a fresh code accepted. */
export async function staffEnroll(op, staff, { shots = false } = {}) {
	await op.go('/ra/login');
	await op.expectAt({ h1: 'ra.login_title', status: 200 });
	if (shots)
		await op.shot('ra-login');
	await op.submitForm({ username: staff.username, password: staff.password });
	await op.expectAt({ path: '/ra/enroll', h1: 'ra.enroll_title', status: 200 });
	assert.equal(await op.page.locator('main .qr svg').count(), 1, 'the set-up page shows a QR code');
	assert.equal((await op.page.locator('main code').first().innerText()).trim(), staff.auth.secret,
		'the set-up page shows the key of the provisioning URI');
	if (shots)
		await op.shot('ra-enroll');
	await op.submitForm({ totp: '12345' });
	await op.expectAt({ path: '/ra/enroll', status: 422 });
	await assertFormErrors(op.page, { errors: { totp: op.t('ra.totp_format') } }, 'the set-up page');
	await op.submitForm({ totp: await staff.auth.next() });
	await expectStaffHome(op, staff);
	if (shots)
		await op.shot('ra-home');
}

export async function expectStaffHome(op, staff) {
	await op.expectAt({ path: '/ra', h1: 'ra.home_title', status: 200 });
	const who = await op.page.locator('main p strong').first().innerText();
	assert.equal(who.trim(), staff.username, 'the back office names who is signed in');
}

export async function staffLogout(op) {
	await op.click(op.page.locator('main form[action="/ra/logout"] button'));
	await op.expectAt({ path: '/ra/login', h1: 'ra.login_title', status: 200 });
	await op.go('/ra');
	await op.expectAt({ path: '/ra/login' });
}

/* A later login: password and code.  With replay, the code used last
 * is tried first and must be refused. */
export async function staffLogin(op, staff, { replay = false } = {}) {
	if (op.pathname !== '/ra/login')
		await op.go('/ra/login');
	if (replay) {
		await op.submitForm({ username: staff.username, password: staff.password, totp: staff.auth.lastCode });
		await op.expectAt({ path: '/ra/login', status: 422 });
		assert.ok((await op.alerts()).includes(op.t('ra.login_failed')), 'a used code is refused');
	}
	await op.submitForm({ username: staff.username, password: staff.password, totp: await staff.auth.next() });
	await expectStaffHome(op, staff);
}

/* ---- The order ------------------------------------------------------------- */

export async function staffState(op) {
	return (await op.page.locator('main p.state strong').innerText()).trim();
}

async function expectDone(op, id, notice, state) {
	await op.expectAt({ path: `/ra/orders/${id}`, h1: 'bo.order_title', status: 200 });
	assert.ok((await op.alerts()).includes(op.t(notice)), `the order page says ${notice}`);
	if (state !== undefined)
		assert.equal(await staffState(op), op.t(state), 'the order\'s state');
}

/* From the back office's home page (the queues) to the order. */
export async function openFromQueue(op, id, { shots = false } = {}) {
	await op.go('/ra');
	const link = op.page.locator(`main a[href="/ra/orders/${id}"]`).first();
	assert.ok(await link.count() > 0, `order ${id} is in a queue of /ra`);
	if (shots)
		await op.shot('ra-queues');
	await op.click(link);
	await op.expectAt({ path: `/ra/orders/${id}`, h1: 'bo.order_title', status: 200 });
	assert.equal(await staffState(op), op.t('state.confirmed'));
	if (shots)
		await op.shot('ra-order-confirmed');
}

/* An irreversible action asks first: the confirmation page (200, its
 * heading titleKey) at the action's address, with a way back; its
 * button posts the same fields again with confirm=1.  With `again`, the
 * way back is taken first: it leads to a page whose `status` (a
 * selector) still reads `before` (nothing was done), then again() asks
 * once more and the second confirmation page is answered.  Works with
 * JavaScript off (a plain form and a link). */
export async function answerConfirmation(op, action, titleKey, {
	shots = false, shot, again, before, status = 'main .state strong',
} = {}) {
	await op.expectAt({ path: action, h1: titleKey, status: 200 });
	const form = `main form[action="${action}"]`;
	assert.equal(await op.page.locator(`${form} input[name="confirm"]`).inputValue(), '1');
	const back = op.page.locator('main a', { hasText: op.t('ask.back') });
	assert.equal(await back.count(), 1, 'a way back');
	if (shots && shot)
		await op.shot(shot);
	if (again) {
		await op.click(back);
		assert.equal(op.status, 200, 'the way back');
		assert.equal((await op.page.locator(status).first().innerText()).trim(), before,
			`back from "${op.t(titleKey)}" changes nothing`);
		await again();
		await op.expectAt({ path: action, h1: titleKey, status: 200 });
	}
	await op.submit(form);
}

/* Ticks the whole checklist of documents delivered. */

export async function recordDocuments(op, id) {
	const form = `main form[action="/ra/orders/${id}/documents"]`;
	const boxes = op.page.locator(`${form} input[type=checkbox]`);
	assert.ok(await boxes.count() >= 2, 'the checklist has the request and the contract at least');
	for (const box of await boxes.all())
		await box.setChecked(true);
	await op.submit(form);
	await expectDone(op, id, 'bo.done_documents', 'state.documents_received');
}

/* The order's payment reference and amount due from its Payments
 * section: {reference, amount} with the reference as people write it
 * ("95 00000001", the model 97 shown apart) and amount as the page
 * writes it ("6.000,00"). */
export async function paymentFacts(op) {
	const strong = await op.page.locator('main #payments > p').first().locator('strong').allInnerTexts();
	assert.equal(strong[0].trim(), '97', 'the payment model, shown apart');
	const reference = strong[1].trim();
	assert.match(reference, /^\d{2} \d{8,}$/, 'the reference, grouped');
	const amount = strong[2].replace(/\s*RSD$/, '').trim();
	assert.match(amount, /^\d{1,3}(\.\d{3})*,\d{2}$/, 'the order\'s total');
	return { reference, amount };
}

export function todayIso() {
	const d = new Date();
	return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/* Records a payment of the whole amount with the order page's form. */
export async function recordPaymentByHand(op, id, { payer, shots = false, backFirst = false }) {
	const { reference, amount } = await paymentFacts(op);
	const [y, m, d] = todayIso().split('-');
	const form = `main form[action="/ra/orders/${id}/payments"]`;
	const send = async () => {
		assert.equal(await op.page.inputValue(`${form} [name="amount"]`), '', 'the amount is typed, never offered');
		await op.fill({ amount, paid_on: `${Number(d)}.${Number(m)}.${y}.`, reference, payer }, form);
		await op.submit(form);
	};
	const before = await staffState(op);
	if (shots)
		await op.shot('ra-payment-by-hand');
	await send();
	await answerConfirmation(op, `/ra/orders/${id}/payments`, 'ask.payment_title',
		{ shots, shot: 'ra-payment-confirm', ...(backFirst ? { again: send, before } : {}) });
	assert.match(op.path, /\?pay=settled$/, 'the payment settles the order');
	await op.expectAt({ path: `/ra/orders/${id}`, status: 200 });
	assert.ok((await op.page.locator('main #payments .alert').allInnerTexts()).some((x) => x.includes(op.t('pay.done_settled'))),
		'the Payments section says the order is paid');
	assert.equal(await staffState(op), op.t('state.ready'));
}

/* Imports a bank statement (a CSV file chosen on /ra/payments/import)
 * with one credit paying the order; returns to the order. */
export async function importStatement(op, id, { reference, amount, payer, shots = false }) {
	const csv = 'date,amount,payer,reference\n' +
		`${todayIso()},${amount.replace(/\./g, '').replace(',', '.')},"${payer}",${reference}\n`;
	await op.go('/ra');
	await op.follow(op.t('pay.import_title'));
	await op.expectAt({ path: '/ra/payments/import', h1: 'pay.import_title', status: 200 });
	await op.page.setInputFiles('main #f-file',
		{ name: `izvod-${id}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
	await op.fill({ format: 'csv' });
	if (shots)
		await op.shot('ra-payments-import');
	await op.submit();
	await op.expectAt({ path: /^\/ra\/payments\/imports\/\d+$/, h1: 'pay.report_title', status: 200 });
	const facts = await factRows(op.page, 'main table.facts tr');
	assert.ok((await op.page.locator('main').innerText()).includes(`izvod-${id}.csv`),
		'the import is named after the file');
	assert.equal(facts[op.t('pay.lines')], '1', 'the statement has one line');
	assert.equal(facts[op.t('pay.settled')], '1', 'the line pays the order in full');
	assert.equal(facts[op.t('pay.unresolved')], '0', 'nothing is left to resolve');
	if (shots)
		await op.shot('ra-payments-report');
	await op.go(`/ra/orders/${id}`);
	assert.equal(await staffState(op), op.t('state.ready'));
}

/* The identity check: refused without the tick, then recorded. */
export async function verifyIdentity(op, id, { shots = false } = {}) {
	const form = `main form[action="/ra/orders/${id}/verify"]`;
	await op.submit(form);
	await op.expectAt({ path: `/ra/orders/${id}/verify`, h1: 'bo.order_title', status: 422 });
	assert.equal((await op.page.locator('main #e-identity_checked').innerText()).trim(), op.t('bo.identity_required'));
	assert.equal(await op.page.getAttribute('main #f-identity_checked', 'aria-describedby'), 'e-identity_checked');
	if (shots)
		await op.shot('ra-verify-error');
	await op.fill({ identity_checked: true }, form);
	await op.submit(form);
	await expectDone(op, id, 'bo.done_verify', 'state.verified');
}

/* Sends the order to the CA; the CA's answer comes through the
 * portal's poller, so the state may already be "issued". */
export async function sendToCa(op, id, { shots = false } = {}) {
	if (shots)
		await op.shot('ra-order-verified');
	await op.submit(`main form[action="/ra/orders/${id}/send"]`);
	await expectDone(op, id, 'bo.done_send');
	assert.ok([op.t('state.sent_to_ca'), op.t('state.issued')].includes(await staffState(op)),
		'the order went to the CA');
}

/* Reloads the order page until its state is `state` (a state name). */
export async function waitForState(op, id, state, timeoutMs = 30000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		await op.go(`/ra/orders/${id}`);
		const now = await staffState(op);
		if (now === op.t(`state.${state}`))
			return;
		if (Date.now() > deadline)
			assert.fail(`order ${id} is still "${now}" after ${timeoutMs} ms, expected ${state}`);
		await sleep(500);
	}
}

/* Confirms the receipt of the CA's shipment that holds the order. */
export async function receiveShipment(op, id, { shots = false } = {}) {
	await op.go('/ra');
	await op.follow(op.t('bo.shipments_title'));
	await op.expectAt({ path: '/ra/shipments', h1: 'bo.shipments_title', status: 200 });
	const section = op.page.locator('main section').filter({ has: op.page.locator(`a[href="/ra/orders/${id}"]`) });
	assert.equal(await section.count(), 1, `one shipment holds order ${id}`);
	if (shots)
		await op.shot('ra-shipments');
	await op.click(section.locator('form[action="/ra/shipments/receive"] button'));
	await op.expectAt({ path: '/ra/shipments', status: 200 });
	assert.ok((await op.alerts()).includes(op.t('bo.done_shipment')), 'the receipt is recorded');
	await op.go(`/ra/orders/${id}`);
	assert.equal(await staffState(op), op.t('state.at_office'));
}

/* The handover: a wrong ID number refused (error tied to the field),
 * then the number of the request. */
export async function handOver(op, id, idNumber, { shots = false, backFirst = false } = {}) {
	const form = `main form[action="/ra/orders/${id}/hand-over"]`;
	if (op.pathname !== `/ra/orders/${id}`)
		await op.go(`/ra/orders/${id}`);
	await op.fill({ id_number: '000111222' }, form);
	await op.submit(form);
	await op.expectAt({ path: `/ra/orders/${id}/hand-over`, h1: 'bo.order_title', status: 422 });
	assert.equal((await op.page.locator('main #e-id_number').innerText()).trim(), op.t('bo.id_mismatch'));
	assert.equal(await op.page.getAttribute('main #f-id_number', 'aria-describedby'), 'e-id_number');
	assert.equal(await op.page.inputValue('main #f-id_number'), '000111222', 'the number typed is kept');
	if (shots)
		await op.shot('ra-hand-over-error');
	const send = async () => {
		await op.fill({ id_number: idNumber }, form);
		await op.submit(form);
	};
	const before = await staffState(op);
	await send();
	await answerConfirmation(op, `/ra/orders/${id}/hand-over`, 'ask.hand_over_title',
		{ shots, shot: 'ra-hand-over-confirm', ...(backFirst ? { again: send, before } : {}) });
	await expectDone(op, id, 'bo.done_hand_over', 'state.handed_over');
	if (shots)
		await op.shot('ra-order-handed-over');
}

/* Rejects the order with `reason` through its confirmation page, the
 * way back taken first (nothing changes); the order page then says so. */
export async function rejectOrder(op, id, reason, { shots = false } = {}) {
	const form = `main form[action="/ra/orders/${id}/reject"]`;
	if (op.pathname !== `/ra/orders/${id}`)
		await op.go(`/ra/orders/${id}`);
	const send = () => op.submitForm({ reason }, form);
	const before = await staffState(op);
	await send();
	assert.ok((await op.page.locator('main .alert').innerText()).includes(reason), 'the page says what the member is told');
	await answerConfirmation(op, `/ra/orders/${id}/reject`, 'ask.reject_title',
		{ shots, shot: 'ra-reject-confirm', again: send, before });
	await expectDone(op, id, 'bo.done_reject', 'state.rejected');
}

/*
 * A confirmed order through the back office to the handover: documents,
 * payment (by hand, or from a statement with the reference the member
 * saw), identity, CA, shipment, handover.  `member` is the member's
 * Session and `email` their address (the arrival mail comes in the
 * member's language).  afterDocuments() runs once the documents are
 * recorded (the order page still open).  With backFirst, the payment's
 * and the handover's confirmation pages are left by their way back
 * first (nothing changes) and asked again.  Returns the arrival mail.
 */
export async function processOrder(op, member, id, {
	email, reference, idNumber, payer, payment = 'manual', shots = false, afterDocuments, backFirst = false,
}) {
	await openFromQueue(op, id, { shots });
	await recordDocuments(op, id);
	if (afterDocuments)
		await afterDocuments();
	if (payment === 'manual') {
		await recordPaymentByHand(op, id, { payer, shots, backFirst });
	} else {
		const facts = await paymentFacts(op);
		assert.equal(facts.reference, reference, 'the back office shows the reference the member pays with');
		await importStatement(op, id, { reference, amount: facts.amount, payer, shots });
	}
	await verifyIdentity(op, id, { shots });
	await sendToCa(op, id, { shots });
	await waitForState(op, id, 'issued');
	await receiveShipment(op, id, { shots });
	const mail = await member.portal.mail.next({ to: email, subject: member.t('mail.bo_arrived.subject') });
	assert.ok(mail.body.includes(String(id)), 'the arrival mail names the order');
	await handOver(op, id, idNumber, { shots, backFirst });
	return mail;
}

/* ---- The certificate in the back office ------------------------------------- */

export async function staffCertificatePage(op, id) {
	await op.go(`/ra/orders/${id}/certificate`);
	await op.expectAt({ path: `/ra/orders/${id}/certificate`, h1: 'cert.ra_title', status: 200 });
}

/* Confirms the member's revocation request on the certificate page. */
export async function confirmRevocation(op, id, { shots = false, backFirst = false } = {}) {
	await staffCertificatePage(op, id);
	assert.equal((await op.page.locator('main form legend').innerText()).trim(), op.t('cert.ra_confirm_title'));
	assert.equal(await op.page.locator('main #f-ra-reason').inputValue(), 'keyCompromise',
		'the member\'s reason is preselected');
	assert.equal(await op.page.locator('main .cert-status').innerText(), op.t('cert.status_requested'));
	if (shots)
		await op.shot('ra-certificate-revocation-requested');
	const send = () => op.submit(`main form[action="/ra/orders/${id}/revoke"]`);
	await send();
	await answerConfirmation(op, `/ra/orders/${id}/revoke`, 'ask.revoke_title', {
		shots, shot: 'ra-revoke-confirm',
		...(backFirst ? { again: send, before: op.t('cert.status_requested'), status: 'main .cert-status' } : {}),
	});
	await op.expectAt({ path: `/ra/orders/${id}/certificate`, status: 200 });
	assert.ok((await op.alerts()).includes(op.t('cert.done_confirmed')));
}
