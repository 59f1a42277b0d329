// What every end-to-end script shares: where the release build and the
// screenshots are, the static server for dist/, headless Chromium with the
// project's flags, and 1280×720 pages that collect every error.
//
// Used by the tests (*.test.mjs, run by `node --test`) and by budgets.mjs.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { serveDist } from './serve-dist.mjs';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const dist = resolve(process.env.REPLSCOPE_DIST ?? join(repo, 'dist'));
export const screenshots = resolve(process.env.REPLSCOPE_SCREENSHOTS ?? join(repo, 'target/e2e'));

/** The bundle budget: wasm + js in dist/, each gzip -9 (docs/ui-budgets.md). */
export const BUNDLE_BUDGET_BYTES = 350_000;

/** The app's bundle: the wasm and the JS glue trunk emits, each gzip -9. */
export function bundle() {
  const files = readdirSync(dist).filter((f) => f.endsWith('.wasm') || f.endsWith('.js'));
  const parts = files.map((f) => {
    const bytes = readFileSync(join(dist, f));
    return { file: f, bytes: bytes.length, gzip9: gzipSync(bytes, { level: 9 }).length };
  });
  const gzip9 = parts.reduce((sum, p) => sum + p.gzip9, 0);
  return { parts, gzip9 };
}

/** Chromium flags for a quiet, reproducible headless run (no network of its own). */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** The viewport the issue asks the app to be readable at. */
export const VIEWPORT = { width: 1280, height: 720 };

/**
 * Serves dist/ on an ephemeral loopback port and launches headless Chromium.
 * Resolves to `{ url, browser, close }`; call `close()` when done.
 */
export async function startHarness() {
  assert.ok(existsSync(join(dist, 'index.html')), `no ${dist}/index.html: run \`trunk build --release\` first`);
  mkdirSync(screenshots, { recursive: true });
  const server = await serveDist(dist);
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_FLAGS,
    });
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    url: server.url,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * A new 1280×720 page that records page errors, console errors, failed
 * requests and HTTP errors into `problems` (a test asserts it stays empty).
 */
export async function newPage(browser) {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return { page, problems };
}

/** Saves a screenshot as target/e2e/<name>.png (or $REPLSCOPE_SCREENSHOTS). */
export async function screenshot(page, name) {
  await page.screenshot({ path: join(screenshots, `${name}.png`) });
}
