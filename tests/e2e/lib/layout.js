// Layout checks measured in the browser (issue 15, point 5): tables
// readable without a word broken in the middle or a column cut off, rows
// as cards on a phone, the header on one line on a desktop, the
// navigation every visitor gets, and the favicon.
import assert from 'node:assert/strict';

import { assertCheckboxesBesideLabels, assertNoHorizontalScroll } from './checks.js';
import { DESKTOP, PHONE } from './browser.js';

/* Below this width a table with a header row shows its rows as cards. */
export const CARDS_BELOW = 641;

/*
 * Every word in `main table.data` cells lies on one line (a word split
 * over two lines has two client rects) unless it is wider than the
 * cell's whole line (a 32-digit serial number on a phone), date cells (td.date) hold one
 * line, no cell breaks words anywhere (overflow-wrap: anywhere or
 * word-break: break-all), and a table is no wider than its box (no
 * column cut off or scrolled away).  A table with a header row of more
 * than three columns is of class "cards": on a phone each row is a card,
 * each cell a block of its own labelled by its data-label.
 */
export async function assertTablesReadable(page, where) {
	const m = await page.evaluate((cardsBelow) => {
		const out = { broken: [], dates: [], styles: [], cut: [], unlabelled: [], notCards: [], tables: 0 };
		const narrow = document.documentElement.clientWidth < cardsBelow;
		for (const table of document.querySelectorAll('main table.data')) {
			out.tables++;
			const head = table.tHead !== null && table.tHead.rows.length > 0;
			const cards = table.classList.contains('cards');
			if (head && !cards && table.tHead.rows[0].cells.length > 3)
				out.notCards.push(`table ${out.tables}: ${table.tHead.rows[0].cells.length} columns, not class cards`);
			if (table.scrollWidth > table.clientWidth + 1)
				out.cut.push(`table ${out.tables}: scrollWidth ${table.scrollWidth} > ${table.clientWidth}`);
			for (const td of table.querySelectorAll('td')) {
				const cs = getComputedStyle(td);
				const room = td.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
				if (cs.overflowWrap === 'anywhere' || cs.wordBreak === 'break-all' || cs.wordBreak === 'break-word')
					out.styles.push(`${td.textContent.trim().slice(0, 30)} (${cs.overflowWrap}, ${cs.wordBreak})`);
				const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
				for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
					const re = /\S+/g;
					for (let w = re.exec(n.data); w !== null; w = re.exec(n.data)) {
						const range = document.createRange();
						range.setStart(n, w.index);
						range.setEnd(n, w.index + w[0].length);
						const rects = [...range.getClientRects()].filter((r) => r.width > 0);
						const tops = new Set(rects.map((r) => Math.round(r.top)));
						const wide = rects.reduce((sum, r) => sum + r.width, 0);
						if (tops.size > 1 && wide <= room)
							out.broken.push(w[0]);
					}
				}
				if (td.classList.contains('date')) {
					const range = document.createRange();
					range.selectNodeContents(td);
					const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
					if (tops.size > 1)
						out.dates.push(`${td.textContent.trim()} on ${tops.size} lines`);
				}
				if (narrow && cards) {
					if (!td.getAttribute('data-label'))
						out.unlabelled.push(td.textContent.trim().slice(0, 30));
					if (cs.display === 'table-cell')
						out.notCards.push(td.textContent.trim().slice(0, 30));
				}
			}
		}
		return out;
	}, CARDS_BELOW);
	assert.deepEqual(m.broken, [], `${where}: words broken over two lines in a table`);
	assert.deepEqual(m.dates, [], `${where}: date cells over more than one line`);
	assert.deepEqual(m.styles, [], `${where}: table cells that break words anywhere`);
	assert.deepEqual(m.cut, [], `${where}: tables wider than their box`);
	assert.deepEqual(m.unlabelled, [], `${where}: card cells without data-label`);
	assert.deepEqual(m.notCards, [], `${where}: table rows not shown as cards on a phone`);
	return m.tables;
}

/* The logged-in or anonymous header on one line (desktop): the brand and
 * every navigation item share one row. */
export async function assertHeaderOneLine(page, where) {
	const rows = await page.evaluate(() => {
		const items = [document.querySelector('header .brand'), ...document.querySelectorAll('header nav li')];
		return items.filter(Boolean).map((e) => {
			const r = e.getBoundingClientRect();
			return { what: e.textContent.trim().slice(0, 20), mid: r.top + r.height / 2, height: r.height };
		});
	});
	const mids = rows.map((r) => r.mid);
	const spread = Math.max(...mids) - Math.min(...mids);
	assert.ok(spread < 12, `${where}: the header takes more than one line ` +
		`(${rows.map((r) => `${r.what}@${Math.round(r.mid)}`).join(', ')})`);
}

/* What every visitor finds in the navigation, and what a staff page lacks. */
export async function assertNav(page, where, { staffArea = false } = {}) {
	const hrefs = await page.evaluate(() => [...document.querySelectorAll('header nav a')].map((a) => a.getAttribute('href')));
	if (staffArea) {
		for (const h of ['/login', '/register', '/orders', '/offices', '/help'])
			assert.ok(!hrefs.includes(h), `${where}: the staff page's header links ${h} (${hrefs.join(' ')})`);
		return;
	}
	for (const h of ['/offices', '/help'])
		assert.ok(hrefs.includes(h), `${where}: no ${h} in the navigation (${hrefs.join(' ')})`);
}

/* The favicon: an SVG served as a static file. */
export async function assertFavicon(s) {
	const href = await s.page.getAttribute('link[rel="icon"]', 'href');
	assert.ok(href, 'the layout links a favicon');
	const res = await s.page.request.get(s.portal.url(href));
	assert.equal(res.status(), 200, `GET ${href}`);
	assert.match(res.headers()['content-type'], /^image\/svg\+xml/, `${href} is served as SVG`);
	assert.match(await res.text(), /<svg[\s>]/, `${href} is an SVG image`);
}

/*
 * The layout checks of the page s is on, at its present size: no
 * sideways scrolling, checkboxes beside their labels, tables readable,
 * the navigation, and the header on one line at the desktop size.
 */
export async function assertLayoutHere(s, { staffArea = false } = {}) {
	const where = `${s.path} (${s.lang}, ${s.viewport.width}x${s.viewport.height})`;
	await assertNoHorizontalScroll(s.page, where);
	await assertCheckboxesBesideLabels(s.page, where);
	await assertTablesReadable(s.page, where);
	await assertNav(s.page, where, { staffArea });
	if (s.viewport.width === DESKTOP.width)
		await assertHeaderOneLine(s.page, where);
}

/* The same checks at the session's size and then at the other one
 * (375x667 or 1366x768). */
export async function assertLayoutAtBothSizes(s, { staffArea = false } = {}) {
	const was = s.viewport;
	const other = was.width === PHONE.width ? DESKTOP : PHONE;
	try {
		for (const v of [was, other]) {
			if (v !== s.viewport) {
				await s.page.setViewportSize(v);
				s.viewport = v;
			}
			await assertLayoutHere(s, { staffArea });
		}
	} finally {
		if (s.viewport !== was) {
			await s.page.setViewportSize(was);
			s.viewport = was;
		}
	}
}
