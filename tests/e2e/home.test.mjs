// The release build (dist/, from `trunk build --release`) loads in headless
// Chromium, the wasm app renders the core's version line, and nothing goes to
// the console as an error; a crash shows the error banner. Run by `cargo xtask test`, or `node --test` here
// after a release build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDist } from './serve-dist.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = resolve(process.env.REPLSCOPE_DIST ?? join(repo, 'dist'));
const screenshots = resolve(process.env.REPLSCOPE_SCREENSHOTS ?? join(repo, 'target/e2e'));

/** The version Cargo.lock resolves for workspace package `name`. */
function lockedVersion(name) {
  const lock = readFileSync(join(repo, 'Cargo.lock'), 'utf8');
  const match = lock.match(new RegExp(`name = "${name}"\\nversion = "([^"]+)"`));
  assert.ok(match, `${name} not in Cargo.lock`);
  return match[1];
}

/** `REDIS_VERSION` as written in core/src/lib.rs. */
function modelledRedisVersion() {
  const lib = readFileSync(join(repo, 'core/src/lib.rs'), 'utf8');
  const match = lib.match(/pub const REDIS_VERSION: &str = "([^"]+)";/);
  assert.ok(match, 'REDIS_VERSION not found in core/src/lib.rs');
  return match[1];
}

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

let server;
let browser;

before(async () => {
  assert.ok(existsSync(join(dist, 'index.html')), `no ${dist}/index.html: run \`trunk build --release\` first`);
  server = await serveDist(dist);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('home page renders the app with the core and Redis versions', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });

  await page.goto(server.url);
  assert.equal(await page.title(), 'ReplScope');

  // Rendered by the wasm app, so this waits for download, instantiation and
  // Yew's first render.
  const buildInfo = page.getByTestId('build-info');
  await buildInfo.waitFor({ timeout: 30_000 });
  const expected = `replscope-core ${lockedVersion('replscope-core')} · modelling Redis ${modelledRedisVersion()}`;
  assert.equal(await buildInfo.textContent(), expected);
  assert.equal(await page.locator('h1').textContent(), 'ReplScope');
  assert.equal(await page.locator('#replscope-panic-banner').count(), 0, 'panic banner shown');

  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, 'home.png') });

  assert.deepEqual(problems, []);
  await page.close();
});

test('a panic shows the error banner, and Reload brings the app back', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const consoleErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(server.url);
  await page.getByTestId('build-info').waitFor({ timeout: 30_000 });

  // A real Rust panic inside the app's wasm instance (it traps, so the call throws).
  const thrown = await page.evaluate(() => {
    try {
      window.wasmBindings.simulate_crash('e2e: deliberate crash');
      return null;
    } catch (error) {
      return String(error);
    }
  });
  assert.match(thrown ?? '', /unreachable/i);

  const banner = page.locator('#replscope-panic-banner[role=alert]');
  await banner.waitFor({ timeout: 5_000 });
  assert.match(await banner.textContent(), /ReplScope crashed.*e2e: deliberate crash/s);
  assert.ok(consoleErrors.some((text) => text.includes('e2e: deliberate crash')), 'panic not on the console');
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, 'panic.png') });

  await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: 'Reload' }).click()]);
  await page.getByTestId('build-info').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#replscope-panic-banner').count(), 0);
  await page.close();
});
