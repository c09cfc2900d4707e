// Where things are for one browser-suite run: the source tree, the qcra
// binary, Chromium, and the run's output folder (screenshots, portal
// state and logs).  scripts/e2e sets QCRA_E2E_OUT so that every test file
// of a run writes into one folder; run alone, a file makes its own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/* The portal binary: QCRA_BIN (as meson's tests name it), else build/qcra. */
export const QCRA_BIN =
	process.env.QCRA_BIN || path.join(ROOT, process.env.QCRA_BUILDDIR || 'build', 'qcra');

export const CHROMIUM = process.env.QCRA_CHROMIUM || '/usr/bin/chromium';

let outDir = null;

/* The run's output folder, created (and printed) on first use. */
export function runDir() {
	if (outDir !== null)
		return outDir;
	if (process.env.QCRA_E2E_OUT) {
		outDir = process.env.QCRA_E2E_OUT;
		fs.mkdirSync(outDir, { recursive: true });
	} else {
		outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qcra-e2e-'));
		console.log(`e2e output (screenshots, portal logs): ${outDir}`);
	}
	return outDir;
}

/* Folder for screenshots: RUN/screenshots/<lang>-<width>x<height>/. */
export function screenshotDir(lang, viewport) {
	const d = path.join(runDir(), 'screenshots', `${lang}-${viewport.width}x${viewport.height}`);
	fs.mkdirSync(d, { recursive: true });
	return d;
}

/* A fresh folder under the run's output folder, e.g. a portal's --var. */
export function freshDir(prefix) {
	return fs.mkdtempSync(path.join(runDir(), `${prefix}-`));
}
