// The way forward from an order the Certification Authority refused: the
// test CA told to refuse (qcra testca fail), "send" returning the order
// for correction, the office's correction form, the order returned to
// the member with a reason, and what the member reads and does with a
// returned order.  One function per step, each checking where it lands
// and what the page says (texts from messages/*.txt).  `op` is the staff
// member's Session, `member` the member's.
import assert from 'node:assert/strict';

import { assertFormErrors, factRows } from './checks.js';
import { t } from './messages.js';
import { staffState } from './office.js';

/* What the CA service says when it refuses, by reason code (its own
 * words, in English: shown to staff as they are, never to the member). */
export const CA_WORDS = {
	invalid_organization: 'organization must be 1-64 letters, digits, single spaces or punctuation',
	invalid_given_name: 'givenName must be 1-64 letters, spaces, hyphens, dots or apostrophes',
};

/* The test CA refuses every submission with `code` until caAccepts(). */
export function caRefuses(portal, code) {
	const out = portal.testca('fail', '--message', CA_WORDS[code], '--refuse', code);
	assert.match(out, /refuses/);
}

/* The test CA fails every submission with these words (not a refusal:
 * the order stays as it was) until caAccepts(). */
export const CA_FAILURE = 'the CA is out of blank cards today';

export function caFails(portal) {
	const out = portal.testca('fail', '--message', CA_FAILURE);
	assert.match(out, /refuses/);
}

/* How many times the page says `words` (its whole text, hidden or not). */
export async function timesSaid(s, words) {
	return (await s.page.evaluate(() => document.body.textContent)).split(words).length - 1;
}

export function caAccepts(portal) {
	const out = portal.testca('fail', '--off');
	assert.match(out, /accepts/);
}

/* A catalogue text with its {name} placeholders filled. */
export function fill(text, values) {
	return text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
}

/* ---- The office ------------------------------------------------------------ */

/* The staff page's note on a returned order: the reason in the reader's
 * language and the CA's own words. */
export async function expectReturnedNote(op, code) {
	const note = op.page.locator('main .alert[role=note]').filter({ hasText: op.t('bo.returned_title') });
	assert.equal(await note.count(), 1, 'the order page says why it was returned');
	const text = (await note.innerText()).replace(/\s+/g, ' ');
	assert.ok(text.includes(`${op.t('bo.returned_reason')}: ${op.t(`return.${code}`)}`),
		`the reason in the reader's language: ${text}`);
	assert.equal((await note.locator('q').innerText()).trim(), CA_WORDS[code], 'the CA\'s own words');
}

/* "Send" on a verified order the CA refuses: the order page again,
 * returned for correction, with the reason and the ways forward. */
export async function sendRefused(op, id, code, { shots = false } = {}) {
	await op.submit(`main form[action="/ra/orders/${id}/send"]`);
	assert.equal(op.path, `/ra/orders/${id}?done=returned`, 'a refusal is no error page');
	await op.expectAt({ path: `/ra/orders/${id}`, h1: 'bo.order_title', status: 200 });
	assert.ok((await op.alerts()).includes(op.t('bo.done_returned')), 'the page says the CA did not accept it');
	assert.equal(await staffState(op), op.t('state.returned'));
	await expectReturnedNote(op, code);
	assert.equal(await timesSaid(op, CA_WORDS[code]), 1, 'the CA\'s words are said once (5a)');
	const main = op.page.locator('main');
	assert.equal(await main.locator(`a[href="/ra/orders/${id}/correct"]`).innerText(), op.t('bo.correct_link'));
	assert.equal(await main.locator(`form[action="/ra/orders/${id}/return"] legend`).innerText(), op.t('bo.return_title'));
	assert.equal(await main.locator(`form[action="/ra/orders/${id}/cancel"] legend`).innerText(), op.t('bo.cancel_title'));
	assert.ok((await main.locator('label[for="f-cancel-reason"]').innerText()).startsWith(op.t('bo.cancel_reason')),
		'the cancellation asks for the reason of the cancellation');
	const history = await main.locator('section[aria-labelledby="hist-h"] tbody').innerText();
	assert.ok(history.includes(fill(op.t('note.ca_refused'), { reason: op.t(`return.${code}`) })),
		'the history says why, in the reader\'s language');
	assert.ok(!history.includes(CA_WORDS[code]), 'the history keeps the CA\'s words out');
	if (shots)
		await op.shotAtBothSizes('ra-order-returned');
}

/* "Send" on a verified order while the CA fails: the order page (503)
 * saying so with the CA's words once, not at the top and again beside
 * the send form (5a); the order is still verified. */
export async function sendFailed(op, id, { shots = false } = {}) {
	await op.submit(`main form[action="/ra/orders/${id}/send"]`);
	await op.expectAt({ path: `/ra/orders/${id}/send`, h1: 'bo.order_title', status: 503 });
	assert.equal(await timesSaid(op, CA_FAILURE), 1, 'the CA\'s words are said once');
	assert.ok((await op.alerts()).includes(fill(op.t('bo.ca_failed'), { message: CA_FAILURE })),
		'the page says the CA could not take it, in the reader\'s language');
	assert.equal(await staffState(op), op.t('state.verified'), 'nothing changed');
	if (shots)
		await op.shotAtBothSizes('ra-send-failed');
}

/* The correction form from the order page's link: the reason, the
 * CA's words, the order's data in the member's form. */
export async function openCorrection(op, id, code, { shots = false } = {}) {
	await op.follow(op.t('bo.correct_link'));
	await op.expectAt({ path: `/ra/orders/${id}/correct`, h1: 'bo.correct_title', status: 200 });
	const note = op.page.locator('main .alert[role=note]');
	assert.ok((await note.innerText()).includes(`${op.t('bo.returned_reason')}: ${op.t(`return.${code}`)}`));
	assert.equal((await note.locator('q').innerText()).trim(), CA_WORDS[code]);
	assert.equal(await op.page.locator('main #f-new_papers').isChecked(), false, 'no new papers unless ticked');
	assert.equal((await op.page.locator('main #h-first_name').innerText()).trim(), op.t('bo.hint_name_office'),
		'the name\'s hint speaks of the office\'s form (it has no box to tick)');
	if (shots)
		await op.shotAtBothSizes('ra-correct');
}

/* The correction form's field values by name. */
export async function formValues(s, names, form = 'main form') {
	return s.page.evaluate(([f, ns]) => Object.fromEntries(ns.map((n) => {
		const e = document.querySelector(`${f} [name="${n}"]`);
		return [n, e === null ? null : e.type === 'checkbox' ? e.checked : e.value];
	})), [form, names]);
}

/*
 * Saves a correction (`values` by field name) after a wrong one: `bad`
 * (field name → [value, message key]) is refused with the form again,
 * values kept, then `values` are saved.  The order stays returned, its
 * data and history say what changed (the labels in Serbian: the office's
 * record).
 */
export async function saveCorrection(op, id, { bad, values, shots = false }) {
	const form = `main form[action="/ra/orders/${id}/correct"]`;
	const wrong = Object.fromEntries(Object.entries(bad).map(([n, [v]]) => [n, v]));
	await op.submitForm(wrong, form);
	await op.expectAt({ path: `/ra/orders/${id}/correct`, h1: 'bo.correct_title', status: 422 });
	await assertFormErrors(op.page, {
		errors: Object.fromEntries(Object.entries(bad).map(([n, [, key]]) => [n, op.t(key)])),
		kept: wrong,
	}, 'the correction form');
	if (shots)
		await op.shotAtBothSizes('ra-correct-error');
	await op.submitForm(values, form);
	assert.equal(op.path, `/ra/orders/${id}?done=corrected`);
	await op.expectAt({ path: `/ra/orders/${id}`, h1: 'bo.order_title', status: 200 });
	assert.ok((await op.alerts()).includes(op.t('bo.done_corrected')));
	assert.equal(await staffState(op), op.t('state.returned'), 'corrected, it waits to be sent again');
	const rows = await factRows(op.page, 'main section[aria-labelledby="data-h"] tr');
	const labels = [];
	for (const [name, value] of Object.entries(values)) {
		assert.equal(rows[op.t(`field.${name}`)], value, `the order's ${name} is corrected`);
		labels.push(t('sr', `field.${name}`));
	}
	const history = await op.page.locator('main section[aria-labelledby="hist-h"] tbody').innerText();
	assert.ok(history.includes(fill(op.t('note.corrected_by_office'), { fields: labels.join(', ') })),
		`the history says what the office corrected:\n${history}`);
}

/*
 * Returns the order to the member: without a reason refused (the message
 * beside the field, tied to it), then with `reason`.  Returns the mail
 * the member gets.
 */
export async function returnToMember(op, member, id, { reason, email, shots = false }) {
	const form = `main form[action="/ra/orders/${id}/return"]`;
	await op.submit(form);
	await op.expectAt({ path: `/ra/orders/${id}/return`, h1: 'bo.order_title', status: 422 });
	assert.ok((await op.alerts()).includes(op.t('bo.action_failed')));
	assert.equal(await staffState(op), op.t('state.returned'), 'nothing was done');
	const field = op.page.locator('main #f-return-reason');
	assert.equal((await op.page.locator('main #e-return-reason').innerText()).trim(), op.t('bo.return_reason_required'));
	assert.equal(await field.getAttribute('aria-invalid'), 'true');
	assert.ok((await field.getAttribute('aria-describedby')).split(/\s+/).includes('e-return-reason'),
		'the message is tied to the field');
	if (shots)
		await op.shotAtBothSizes('ra-return-error');
	await op.fill({ reason }, form);
	await op.submit(form);
	assert.equal(op.path, `/ra/orders/${id}?done=return_to_member`);
	await op.expectAt({ path: `/ra/orders/${id}`, h1: 'bo.order_title', status: 200 });
	assert.ok((await op.alerts()).includes(op.t('bo.done_return_to_member')));
	assert.equal(await staffState(op), op.t('state.returned_to_member.staff'));
	assert.equal(await op.page.locator(`main a[href="/ra/orders/${id}/correct"]`).count(), 0,
		'the member corrects it now');
	assert.equal(await op.page.locator(`main form[action="/ra/orders/${id}/cancel"]`).count(), 1,
		'it can still be cancelled');
	if (shots)
		await op.shot('ra-order-returned-to-member');
	const mail = await member.portal.mail.next({ to: email, subject: fill(member.t('mail.bo_returned.subject'), { id }) });
	assert.ok(mail.body.includes(reason), 'the mail says what to correct');
	return mail;
}

/* ---- The member ------------------------------------------------------------ */

/* The member's order page of a returned order (opened afresh): the
 * panel in plain words (never the CA's), the state, and what to do. */
export async function expectReturnedPanel(member, id, code, { toMember = false, reason, shots = false } = {}) {
	await member.go(`/orders/${id}`);
	await member.expectAt({ path: `/orders/${id}`, h1: 'order.page_title', status: 200 });
	assert.equal(await member.page.locator('main .state strong').innerText(),
		member.t(toMember ? 'state.returned_to_member' : 'state.returned'));
	const panel = fill(member.t(toMember ? 'order.returned_to_member_panel' : 'order.returned_panel'),
		{ reason: member.t(`return.${code}`) });
	assert.ok((await member.alerts()).some((a) => a.includes(panel)),
		`the order page says, in plain words: ${panel}`);
	const main = await member.page.locator('main').innerText();
	assert.ok(!main.includes(CA_WORDS[code]), 'the member never reads the CA\'s words');
	if (reason !== undefined)
		assert.ok(main.includes(reason), 'the office\'s reason is on the order page');
	assert.equal(await member.page.locator(`main a[href="/orders/${id}/review"]`).count(), toMember ? 1 : 0,
		toMember ? 'the member is led to correct it' : 'the office corrects it, not the member');
	if (shots)
		await member.shotAtBothSizes(toMember ? 'order-returned-to-member' : 'order-returned');
}

/*
 * The member corrects a returned order: from the order page to the
 * review, the form (`values` changed), the review again and the
 * confirmation.  The order waits for the new papers only (it was paid).
 */
export async function correctAndConfirm(member, id, { values, shown, shots = false }) {
	await member.click(member.page.locator(`main a[href="/orders/${id}/review"]`));
	await member.expectAt({ path: `/orders/${id}/review`, h1: 'order.review_title', status: 200 });
	await member.click(member.page.locator(`main a[href="/orders/${id}/edit"]`));
	await member.expectAt({ path: `/orders/${id}/edit`, h1: 'order.form_title', status: 200 });
	assert.equal(await member.page.locator('main form').getAttribute('action'), `/orders/${id}/edit`);
	await member.fill(values);
	if (shots)
		await member.shotAtBothSizes('order-returned-edit');
	await member.submit();
	await member.expectAt({ path: `/orders/${id}/review`, h1: 'order.review_title', status: 200 });
	const table = await member.page.locator('main table.data').first().innerText();
	for (const v of shown)
		assert.ok(table.includes(v), `the review shows ${v}`);
	if (shots)
		await member.shotAtBothSizes('order-returned-review');
	await member.click(member.page.locator(`main form[action="/orders/${id}/confirm"] button`));
	await member.expectAt({ path: `/orders/${id}`, h1: 'order.page_title', status: 200 });
	assert.equal(await member.page.locator('main .state strong').innerText(), member.t('state.payment_received'),
		'paid before, it waits for the newly signed papers only');
	assert.equal((await member.alerts()).filter((a) => a.startsWith(member.t('order.returned_to_member_panel').split('{')[0])).length, 0,
		'the panel is gone');
	const history = await member.page.locator('main section[aria-labelledby="hist-h"] tbody').innerText();
	assert.ok(history.includes(member.t('note.corrected_by_member')));
	if (shots)
		await member.shot('order-corrected-by-member');
}
