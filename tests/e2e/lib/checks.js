// Checks that hold on every page: no WCAG 2.1 A/AA violations found by
// axe-core, no horizontal scrolling; and the checks of a form shown
// with errors.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/* Runs axe-core in the page.  The portal's CSP forbids inline scripts,
 * so axe is evaluated through the DevTools protocol, not a <script>. */
export async function axeViolations(page) {
	if (!(await page.evaluate(() => typeof window.axe === 'object')))
		await page.evaluate(`${AXE_SOURCE}\n;true`);
	return page.evaluate(async (tags) => {
		const r = await window.axe.run(document, {
			runOnly: { type: 'tag', values: tags },
			resultTypes: ['violations'],
		});
		return r.violations.map((v) => ({
			id: v.id,
			impact: v.impact,
			help: v.help,
			nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
		}));
	}, WCAG_TAGS);
}

export function formatViolations(where, violations) {
	return `${violations.length} WCAG 2.1 A/AA violation(s) on ${where}:\n` + violations.map((v) =>
		`  [${v.impact}] ${v.id}: ${v.help}\n` + v.nodes.map((n) => `      ${n}`).join('\n')).join('\n');
}

/* No horizontal scrolling at the page's viewport. */
export async function assertNoHorizontalScroll(page, where) {
	const m = await page.evaluate(() => ({
		scroll: document.documentElement.scrollWidth,
		client: document.documentElement.clientWidth,
		widest: [...document.querySelectorAll('body *')]
			.filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
			.slice(0, 5)
			.map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).trim().replace(/\s+/g, '.') : ''}`),
	}));
	assert.ok(m.scroll <= m.client,
		`${where} scrolls horizontally: scrollWidth ${m.scroll} > clientWidth ${m.client}; ` +
		`wider than the viewport: ${m.widest.join(', ')}`);
}

/* Every element matching `selector` in <main> can be scrolled to and
 * then lies wholly inside the viewport. */
export async function assertButtonsReachable(page, selector, where) {
	const vp = page.viewportSize();
	const buttons = page.locator(selector);
	const n = await buttons.count();
	assert.ok(n > 0, `${where}: no ${selector}`);
	for (let i = 0; i < n; i++) {
		const b = buttons.nth(i);
		await b.scrollIntoViewIfNeeded();
		assert.ok(await b.isVisible(), `${where}: ${selector} #${i} is not visible`);
		const box = await b.boundingBox();
		const label = (await b.innerText()).trim();
		assert.ok(box.x >= 0 && box.x + box.width <= vp.width + 0.5 && box.y >= 0 &&
			box.y + box.height <= vp.height + 0.5,
		`${where}: button "${label}" lies outside the ${vp.width}x${vp.height} viewport ` +
			`(${JSON.stringify(box)})`);
	}
}

/*
 * A form shown again with errors: for each field in `errors` (name →
 * message text), the field is marked (class has-error, aria-invalid),
 * the message stands next to it and is tied to it (aria-describedby),
 * the summary at the top links to it; fields in `kept` (name → value)
 * still hold what was typed, and password fields are empty.
 */
export async function assertFormErrors(page, { errors, kept = {} }, where) {
	const state = await page.evaluate(() => {
		const main = document.querySelector('main');
		const fields = {};
		for (const el of main.querySelectorAll('form input:not([type=hidden]), form select, form textarea')) {
			const wrap = el.closest('.field');
			const described = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
			const errEl = wrap && wrap.querySelector('.error');
			fields[el.name] = {
				type: el.type,
				value: el.type === 'checkbox' ? (el.checked ? '1' : '') : el.value,
				marked: !!wrap && wrap.classList.contains('has-error'),
				invalid: el.getAttribute('aria-invalid') === 'true',
				error: errEl ? errEl.textContent.trim() : null,
				errorTied: !!errEl && described.includes(errEl.id),
			};
		}
		const summary = [...main.querySelectorAll('.alert-error a[href^="#"]')]
			.map((a) => ({ target: a.getAttribute('href').slice(1), text: a.textContent.trim() }));
		return { fields, summary };
	});
	const byId = (id) => id.replace(/^f-/, '');
	for (const [name, message] of Object.entries(errors)) {
		const f = state.fields[name];
		assert.ok(f, `${where}: no field ${name}`);
		assert.ok(f.marked && f.invalid, `${where}: field ${name} is not marked as wrong`);
		assert.equal(f.error, message, `${where}: message next to ${name}`);
		assert.ok(f.errorTied, `${where}: the message of ${name} is not tied to it by aria-describedby`);
		assert.ok(state.summary.some((s) => byId(s.target) === name && s.text.endsWith(message)),
			`${where}: the error summary has no link to ${name}`);
	}
	for (const [name, f] of Object.entries(state.fields)) {
		if (!(name in errors))
			assert.ok(!f.marked && !f.invalid && f.error === null, `${where}: field ${name} is marked wrong (${f.error})`);
		if (f.type === 'password')
			assert.equal(f.value, '', `${where}: password field ${name} is shown again filled`);
	}
	assert.equal(state.summary.length, Object.keys(errors).length,
		`${where}: the error summary lists ${state.summary.map((s) => s.target).join(', ')}`);
	for (const [name, value] of Object.entries(kept))
		assert.equal(state.fields[name]?.value, value, `${where}: field ${name} lost what was typed`);
}
