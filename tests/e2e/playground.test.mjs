// The playground in a real Chromium against the release build: the opening
// scene, a console command, the link menu, keyboard shortcuts, the frozen
// resync fixture, and the budgets (first render, frame times), which are
// printed, not asserted. Screenshots go to target/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDist } from './serve-dist.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = resolve(process.env.REPLSCOPE_DIST ?? join(repo, 'dist'));
const screenshots = resolve(process.env.REPLSCOPE_SCREENSHOTS ?? join(repo, 'target/e2e'));

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
  mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A 1280×720 page that collects errors; `problems` must stay empty. */
async function openPage(path = '') {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  const started = Date.now();
  await page.goto(server.url + path);
  await page.locator('.node-card[data-node=A]').waitFor({ timeout: 30_000 });
  return { page, problems, firstRenderMs: Date.now() - started };
}

async function noHorizontalScroll(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 1280, `page is ${width}px wide at 1280`);
}

test('the ready scene: console, keyspace, link menu, keyboard', async () => {
  const { page, problems, firstRenderMs } = await openPage();
  console.log(`first render (navigation → node cards): ${firstRenderMs} ms`);
  assert.equal(await page.locator('.node-card').count(), 4);
  assert.equal(await page.locator('.node-card.master').count(), 1);
  await noHorizontalScroll(page);
  await page.screenshot({ path: join(screenshots, 'scene.png') });

  // A command in A's console, answered like redis-cli.
  const input = page.getByLabel('command for A');
  await input.fill('SET k v');
  await input.press('Enter');
  await page.locator('.console-reply', { hasText: 'OK' }).waitFor();
  await input.fill('INCR k');
  await input.press('Enter');
  await page.locator('.console-reply.error', { hasText: '(error) ERR value is not an integer or out of range' }).waitFor();
  await page.screenshot({ path: join(screenshots, 'console.png') });
  await page.locator('button[data-tab=Keys]').click();
  assert.match(await page.locator('.keys-table').textContent(), /k.*string.*"v"/);

  // Click the A → B link, cut it from its menu, then heal it.
  await page.locator('.link[data-link=A-B] .link-label').click();
  await page.getByRole('toolbar', { name: 'link A → B' }).waitFor();
  await page.getByRole('button', { name: '✂ Cut' }).click();
  await page.locator('.link[data-link=A-B].link-cut').waitFor();
  assert.match(await page.locator('.event-list').textContent(), /link A → B cut/);
  await page.screenshot({ path: join(screenshots, 'cut.png') });
  await page.locator('.link[data-link=A-B] .link-label').click();
  await page.getByRole('button', { name: 'Heal' }).click();
  await page.locator('.link[data-link=A-B].link-up').waitFor();

  // Keyboard: Space pauses, → steps 100 ms, ? opens the shortcuts, Esc closes them.
  await page.locator('body').click({ position: { x: 5, y: 700 } });
  await page.keyboard.press('Space');
  await page.locator('button[aria-label=Pause][aria-pressed=true]').waitFor();
  const before = await page.getByTestId('clock').textContent();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((t) => document.querySelector('[data-testid=clock]').textContent !== t, before);
  await page.keyboard.press('?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  await page.screenshot({ path: join(screenshots, 'shortcuts.png') });
  await page.keyboard.press('Escape');
  assert.equal(await page.getByRole('dialog').count(), 0);

  // Projector mode still fits the screen.
  await page.getByRole('button', { name: 'Projector' }).click();
  await noHorizontalScroll(page);
  await page.screenshot({ path: join(screenshots, 'projector.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the resync fixture: badges, RDB progress, the red backlog marker', async () => {
  const { page, problems } = await openPage('?fixture=resync');
  await page.locator('.marker-full', { hasText: 'full resync needed' }).waitFor();
  assert.equal(await page.locator('.topology .badge-partial').textContent(), '+CONTINUE · 512 B from backlog');
  assert.equal(await page.locator('.topology .badge-full').textContent(), '+FULLRESYNC · RDB 34 KB');
  assert.match(await page.locator('.rdb-progress').textContent(), /RDB 12 KB \/ 34 KB/);
  await noHorizontalScroll(page);
  await page.screenshot({ path: join(screenshots, 'fixture-resync.png') });
  // Clicking an event highlights the nodes it involves.
  await page.locator('.event-button', { hasText: 'D asked B' }).click();
  assert.equal(await page.locator('.node-card.highlighted').count(), 2);
  assert.deepEqual(problems, []);
  await page.close();
});

test('budget: frame times with 20 nodes and a 5k writes/s workload (printed, not asserted)', async () => {
  const { page, problems } = await openPage();
  await page.locator('.node-card[data-node=A]').click();
  for (let i = 0; i < 16; i++) await page.getByRole('button', { name: '+ Add replica of A' }).click();
  assert.equal(await page.locator('.node-card').count(), 20);
  await page.getByRole('button', { name: 'Workload' }).click();
  await page.getByLabel('writes/s').fill('5000');
  await page.getByRole('button', { name: 'Start' }).click();
  const frames = await page.evaluate(
    () =>
      new Promise((done) => {
        const times = [];
        const tick = (t) => {
          times.push(t);
          if (times.length < 180) requestAnimationFrame(tick);
          else done(times.slice(1).map((x, i) => x - times[i]));
        };
        requestAnimationFrame(tick);
      }),
  );
  frames.sort((a, b) => a - b);
  const p95 = frames[Math.floor(frames.length * 0.95)];
  console.log(`frame time p95 with 20 nodes at 5000 writes/s, 1×: ${p95.toFixed(1)} ms (median ${frames[frames.length >> 1].toFixed(1)} ms)`);
  await page.screenshot({ path: join(screenshots, 'twenty-nodes.png') });
  assert.deepEqual(problems, []);
  await page.close();
});
