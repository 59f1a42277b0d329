// The release build (dist/, from `trunk build --release`) loads in headless
// Chromium, the wasm app renders the core's version line, and nothing goes to
// the console as an error; a crash shows the error banner. Run by `cargo xtask test`, or `node --test` here
// after a release build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newPage, repo, screenshot, startHarness } from './harness.mjs';

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

let harness;

before(async () => {
  harness = await startHarness();
});

after(async () => {
  await harness?.close();
});

test('home page renders the app with the core and Redis versions', async () => {
  const { page, problems } = await newPage(harness.browser);
  await page.goto(harness.url);
  assert.equal(await page.title(), 'ReplScope');

  // Rendered by the wasm app, so this waits for download, instantiation and
  // Yew's first render.
  const buildInfo = page.getByTestId('build-info');
  await buildInfo.waitFor({ timeout: 30_000 });
  const expected = `replscope-core ${lockedVersion('replscope-core')} · modelling Redis ${modelledRedisVersion()}`;
  assert.equal(await buildInfo.textContent(), expected);
  assert.equal(await page.locator('h1').textContent(), 'ReplScope');
  assert.equal(await page.locator('#replscope-panic-banner').count(), 0, 'panic banner shown');

  await screenshot(page, 'home');

  assert.deepEqual(problems, []);
  await page.close();
});

test('a panic shows the error banner, and Reload brings the app back', async () => {
  // The panic is on purpose here: its console error is checked, not a problem.
  const { page, problems: consoleErrors } = await newPage(harness.browser);
  await page.goto(harness.url);
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
  await screenshot(page, 'panic');

  await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: 'Reload' }).click()]);
  await page.getByTestId('build-info').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#replscope-panic-banner').count(), 0);
  await page.close();
});
