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

/* In the page: how wide the document is against the viewport, and the
 * first elements that reach beyond it (for the failure message).  A
 * plain function so that checkPage() can measure it in the same round
 * trip as its other facts. */
export function measureHorizontalScroll() {
	return {
		scroll: document.documentElement.scrollWidth,
		client: document.documentElement.clientWidth,
		/* Only a page that scrolls needs them: measuring every element
		 * of every page would cost more than the check. */
		widest: document.documentElement.scrollWidth <= document.documentElement.clientWidth ? [] : [...document.querySelectorAll('body *')]
			.filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
			.slice(0, 5)
			.map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).trim().replace(/\s+/g, '.') : ''}`),
	};
}

/* No horizontal scrolling, from measureHorizontalScroll()'s answer. */
export function assertFitsWidth(m, where) {
	assert.ok(m.scroll <= m.client,
		`${where} scrolls horizontally: scrollWidth ${m.scroll} > clientWidth ${m.client}; ` +
		`wider than the viewport: ${m.widest.join(', ')}`);
}

/* No horizontal scrolling at the page's viewport. */
export async function assertNoHorizontalScroll(page, where) {
	assertFitsWidth(await page.evaluate(measureHorizontalScroll), where);
}

/* Every element matching `selector` can be scrolled to and then lies
 * wholly inside the viewport, visible and not covered by another. */
export async function assertButtonsReachable(page, selector, where) {
	const found = await page.evaluate((sel) => {
		const vw = document.documentElement.clientWidth;
		const vh = document.documentElement.clientHeight;
		const out = [...document.querySelectorAll(sel)].map((el) => {
			el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
			const r = el.getBoundingClientRect();
			const cs = getComputedStyle(el);
			// A link wrapped over two lines: test the first line box.
			const first = el.getClientRects()[0] || r;
			const hit = document.elementFromPoint(first.left + first.width / 2, first.top + first.height / 2);
			return {
				label: (el.innerText || el.value || '').trim(),
				visible: r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && Number(cs.opacity) > 0,
				inside: r.left >= 0 && r.right <= vw + 0.5 && r.top >= 0 && r.bottom <= vh + 0.5,
				uncovered: hit !== null && (hit === el || el.contains(hit)),
				box: [r.left, r.top, r.width, r.height].map(Math.round).join(','),
			};
		});
		window.scrollTo(0, 0);
		return out;
	}, selector);
	assert.ok(found.length > 0, `${where}: no ${selector}`);
	for (const b of found)
		assert.ok(b.visible && b.inside && b.uncovered,
			`${where}: "${b.label}" cannot be reached: visible ${b.visible}, inside the viewport ` +
			`${b.inside}, not covered ${b.uncovered} (box x,y,w,h ${b.box})`);
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

/* Every checkbox in <main> stands beside its label, on its first line,
 * as a box of its own size (not stretched over the form's width). */
export async function assertCheckboxesBesideLabels(page, where) {
	const boxes = await page.evaluate(() => [...document.querySelectorAll('main input[type=checkbox]')].map((el) => {
		const label = el.id ? document.querySelector(`label[for="${el.id}"]`) : null;
		const r = el.getBoundingClientRect();
		const l = label === null ? null : label.getClientRects()[0];
		return {
			name: el.name,
			width: Math.round(r.width),
			beside: l !== undefined && l !== null && l.left >= r.right - 0.5 &&
				l.top < r.bottom && l.bottom > r.top,
		};
	}));
	for (const b of boxes) {
		assert.ok(b.width <= 32, `${where}: the checkbox ${b.name} is ${b.width} px wide`);
		assert.ok(b.beside, `${where}: the checkbox ${b.name} is not beside its label`);
	}
	return boxes.length;
}

/* The rows of a table of facts as {name: value}: each row's header cell
 * and data cell, whatever the layout (on a phone they stack). */
export async function factRows(page, rowSelector) {
	return Object.fromEntries(await page.locator(rowSelector).evaluateAll((rows) => rows.map((tr) => [
		(tr.querySelector('th')?.innerText ?? tr.cells[0]?.innerText ?? '').trim(),
		(tr.querySelector('td')?.innerText ?? tr.cells[1]?.innerText ?? '').trim(),
	])));
}
