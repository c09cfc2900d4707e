// The member's certificate on the order page (after the handover): its
// facts and status, the downloads (PEM, DER), the revocation request,
// and waiting for the CA's revocation to show.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { factRows } from './checks.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* The certificate section's rows: label → value. */
export async function certificateFacts(s) {
	return factRows(s.page, 'main #certificate table.facts tr');
}

export async function certificateStatus(s) {
	return (await s.page.locator('main .cert-status').innerText()).trim();
}

/* Opens the member's order and checks its certificate is shown. */
export async function openCertificate(s, id) {
	await s.go(`/orders/${id}`);
	await s.expectAt({ path: `/orders/${id}`, h1: 'order.page_title', status: 200 });
	assert.equal(await s.page.locator('main #certificate').count(), 1, 'the order shows its certificate');
	assert.equal((await s.page.locator('main #cert-h').innerText()).trim(), s.t('cert.title'));
}

/* Downloads the certificate by clicking its link; returns the saved
 * file.  kind: 'pem' or 'der'. */
export async function downloadCertificate(s, id, kind, { staff = false } = {}) {
	const base = staff ? `/ra/orders/${id}` : `/orders/${id}`;
	const link = s.page.locator(`main a[href="${base}/certificate.${kind}"]`);
	assert.equal((await link.innerText()).trim(), s.t(`cert.download_${kind}`));
	const [download, response] = await Promise.all([
		s.page.waitForEvent('download'),
		s.page.waitForResponse((r) => new URL(r.url()).pathname === `${base}/certificate.${kind}`),
		link.click(),
	]);
	assert.equal(response.status(), 200, `certificate.${kind} status`);
	assert.equal(response.headers()['content-type'],
		kind === 'pem' ? 'application/x-pem-file' : 'application/pkix-cert', `certificate.${kind} content type`);
	assert.equal(download.suggestedFilename(), `qcra-${id}.${kind === 'pem' ? 'pem' : 'cer'}`);
	const file = path.join(path.dirname(await download.path()), download.suggestedFilename());
	await download.saveAs(file);
	assert.equal(s.pathname, staff ? `${base}/certificate` : base, 'downloading leaves the page open');
	return file;
}

/* openssl's view of a certificate file: {subject, serial (hex, upper
 * case)}, and that it chains to the CA's root through its issuing CA. */
export function inspectCertificate(file, caDir, { der = false } = {}) {
	const form = der ? ['-inform', 'DER'] : [];
	const out = execFileSync('openssl', ['x509', ...form, '-in', file, '-noout', '-subject', '-serial',
		'-nameopt', 'RFC2253'], { encoding: 'utf8' });
	const subject = out.match(/^subject=\s*(.*)$/m)[1];
	const serial = out.match(/^serial=\s*(.*)$/m)[1].toUpperCase();
	if (!der) {
		const verify = execFileSync('openssl', ['verify', '-CAfile', path.join(caDir, 'root.pem'),
			'-untrusted', path.join(caDir, 'issuing.pem'), file], { encoding: 'utf8' });
		assert.match(verify, /: OK$/m, 'the certificate chains to the CA\'s root');
	}
	return { subject, serial };
}

/* The member asks for the revocation with `reason`. */
export async function requestRevocation(s, id, reason, { shots = false } = {}) {
	const form = `main form[action="/orders/${id}/revoke"]`;
	assert.equal((await s.page.locator(`${form} legend`).innerText()).trim(), s.t('cert.revoke_title'));
	await s.fill({ reason }, form);
	if (shots)
		await s.shot('certificate-revoke-form');
	await s.submit(form);
	await s.expectAt({ path: `/orders/${id}`, h1: 'order.page_title', status: 200 });
	assert.ok((await s.page.locator('main #certificate .alert').allInnerTexts()).some((x) => x.includes(s.t('cert.done_requested'))),
		'the order page says the request was recorded');
	assert.equal(await certificateStatus(s), s.t('cert.status_requested'));
	assert.equal(await s.page.locator(form).count(), 0, 'a second request is not offered');
}

/* Reloads the order page until the certificate's status is `status`. */
export async function waitForCertificateStatus(s, id, status, timeoutMs = 30000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		await s.go(`/orders/${id}`);
		const now = await certificateStatus(s);
		if (now === status)
			return;
		if (Date.now() > deadline)
			assert.fail(`the certificate of order ${id} is still "${now}" after ${timeoutMs} ms, expected "${status}"`);
		await sleep(500);
	}
}
