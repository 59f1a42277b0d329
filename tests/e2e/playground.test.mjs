// The playground in a real Chromium against the release build: the opening
// scene run by the core's simulator (a write replicating, a partial and a
// full resync), the scenario menu, keyboard shortcuts, and 20 nodes under a
// workload. Timings are not asserted here: `node budgets.mjs` measures them.
// Screenshots go to target/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, screenshot, startHarness } from './harness.mjs';

let harness;

before(async () => {
  harness = await startHarness();
});

after(async () => {
  await harness?.close();
});

/** The app at 1280×720, once the opening scene is drawn; `problems` must stay empty. */
async function openPage(path = '') {
  const { page, problems } = await newPage(harness.browser);
  await page.goto(harness.url + path);
  await page.locator('.node-card[data-node=A]').waitFor({ timeout: 30_000 });
  return { page, problems };
}

async function noHorizontalScroll(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 1280, `page is ${width}px wide at 1280`);
}

/** Types `line` into `node`'s console and waits for its reply. */
async function console_(page, node, line) {
  const input = page.getByLabel(`command for ${node}`);
  const replies = page.locator('.console-reply');
  const before = await replies.count();
  await input.fill(line);
  await input.press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('.console-reply').length > n, before);
  return (await replies.last().textContent()).trim();
}

async function selectNode(page, node) {
  await page.locator(`.node-card[data-node=${node}]`).click();
}

async function tab(page, name) {
  await page.locator(`button[data-tab=${name}]`).click();
}

async function linkMenu(page, from, to, button) {
  await page.locator(`.link[data-link=${from}-${to}] .link-label`).click();
  await page.getByRole('toolbar', { name: `link ${from} → ${to}` }).waitFor();
  await page.getByRole('button', { name: button }).click();
}

/** `len` hex digits LZF cannot shrink (the RDB compresses strings). */
function incompressible(seed, len) {
  let x = (seed * 2654435761 + 1) >>> 0;
  let out = '';
  for (let i = 0; i < len; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out += (x & 15).toString(16);
  }
  return out;
}

/** Presses Step until `selector` is on the page (at most `max` steps). */
async function stepUntil(page, selector, max = 600) {
  for (let i = 0; i < max; i++) {
    if (await page.locator(selector).count()) return i;
    await page.getByRole('button', { name: 'Step' }).click();
  }
  throw new Error(`${selector} never appeared in ${max} steps`);
}

test('the ready scene: a write replicates, a short cut heals with +CONTINUE, keyboard', async () => {
  const { page, problems } = await openPage();
  assert.equal(await page.locator('.node-card').count(), 4);
  assert.equal(await page.locator('.node-card.master').count(), 1);
  assert.equal(await page.locator('.link.link-up').count(), 3, 'A→B, A→C, B→D synced at load');
  await noHorizontalScroll(page);
  await screenshot(page, 'scene');

  // A command in A's console, answered like redis-cli; it reaches the replicas.
  assert.equal(await console_(page, 'A', 'SET k v'), 'OK');
  await screenshot(page, 'write-in-flight');
  assert.equal(await console_(page, 'A', 'INCR k'), '(error) ERR value is not an integer or out of range');
  await selectNode(page, 'D');
  await tab(page, 'Keys');
  await page.locator('.keys-table tr', { hasText: '"v"' }).waitFor();
  assert.match(await page.locator('.keys-table').textContent(), /k.*string.*"v"/);
  await screenshot(page, 'replicated');

  // Cut A → B, write, heal: B continues from A's backlog.
  await linkMenu(page, 'A', 'B', '✂ Cut');
  await page.locator('.link[data-link=A-B].link-cut').waitFor();
  assert.match(await page.locator('.event-list').textContent(), /link A ↔ B cut/);
  await selectNode(page, 'A');
  await tab(page, 'Console');
  for (let i = 0; i < 3; i++) assert.equal(await console_(page, 'A', `SET during:${i} ${i}`), 'OK');
  await screenshot(page, 'cut');
  await linkMenu(page, 'A', 'B', 'Heal');
  await page.locator('.topology .badge-partial', { hasText: '+CONTINUE' }).waitFor({ timeout: 15_000 });
  await page.locator('.event-list .badge-partial', { hasText: '+CONTINUE' }).waitFor();
  assert.match(await page.locator('.topology .badge-partial').textContent(), /^\+CONTINUE · \d+ B from backlog$/);
  assert.match(await page.locator('.event-list').textContent(), /Partial resynchronization request from B:6380 accepted/);
  await page.locator('.link[data-link=A-B].link-up').waitFor();
  await screenshot(page, 'partial-resync');

  // Keyboard: Space pauses, → steps to the next event, ? opens the shortcuts, Esc closes them.
  await page.locator('body').click({ position: { x: 5, y: 700 } });
  await page.keyboard.press('Space');
  await page.locator('button[aria-label=Pause][aria-pressed=true]').waitFor();
  const before = await page.getByTestId('clock').textContent();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((t) => document.querySelector('[data-testid=clock]').textContent !== t, before);
  await page.keyboard.press('?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await page.getByRole('dialog').count(), 0);

  // Projector mode still fits the screen.
  await page.getByRole('button', { name: 'Projector' }).click();
  await noHorizontalScroll(page);
  await screenshot(page, 'projector');
  assert.deepEqual(problems, []);
  await page.close();
});

test('in-flight labels stay between the cards and never cover one', async () => {
  const { page, problems } = await openPage();
  // Paused: the segments stay on the wire while the page is measured.
  await page.getByRole('button', { name: 'Pause' }).click();
  assert.equal(await console_(page, 'A', `SET key:000008 8${'x'.repeat(40)}`), 'OK');
  await page.locator('.pills .pill').first().waitFor();
  const overlaps = await page.evaluate(() => {
    const cards = [...document.querySelectorAll('.node-card .card')].map((c) => c.getBoundingClientRect());
    const out = [];
    for (const pill of document.querySelectorAll('.pills .pill')) {
      const p = pill.getBoundingClientRect();
      for (const c of cards) {
        if (p.left < c.right && p.right > c.left && p.top < c.bottom && p.bottom > c.top) out.push(pill.textContent);
      }
    }
    return out;
  });
  assert.deepEqual(overlaps, []);
  // Cut to fit, the size kept; the full label is the tooltip.
  const label = await page.locator('.pills .pill-write text').first().textContent();
  assert.match(label, /^SET key:\S*… · \d+ B$/);
  assert.match(await page.locator('.pills .pill-write title').first().textContent(), /^SET key:000008 8x+…? · \d+ B$/);
  await screenshot(page, 'labels-in-flight');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the node menu adds a standalone master and replicas of any node, on one toolbar row', async () => {
  const { page, problems } = await openPage();
  const toolbar = page.getByRole('toolbar', { name: 'node A' });
  const height = (await toolbar.boundingBox()).height;
  assert.ok(height < 48, `the node toolbar wraps (${height}px high)`);
  await page.getByRole('button', { name: 'Add a standalone master' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.node-card').length === 5);
  assert.equal(await page.locator('.node-card.master').count(), 2);
  await page.locator('.node-card[data-node=E]').click();
  await page.getByRole('button', { name: 'Add a replica of E' }).click();
  await page.locator('.link[data-link=E-F]').waitFor();
  await noHorizontalScroll(page);
  assert.deepEqual(problems, []);
  await page.close();
});

test('past the backlog window: red marker before heal, then +FULLRESYNC with RDB progress', async () => {
  const { page, problems } = await openPage();
  // A 16 KB backlog, set from the Config tab (the core checks the value).
  await tab(page, 'Config');
  await page.locator('input[data-param=repl-backlog-size]').fill('16kb');
  await page.locator('input[data-param=repl-backlog-size]').press('Enter');
  await page.waitForFunction(() => document.querySelector('input[data-param=repl-backlog-size]').value === '16384');
  await tab(page, 'Console');
  await linkMenu(page, 'A', 'B', '✂ Cut');
  await page.locator('.link[data-link=A-B].link-cut').waitFor();
  for (let i = 0; i < 12; i++) {
    assert.equal(await console_(page, 'A', `SET big:${i} ${incompressible(i + 1, 4000)}`), 'OK');
  }
  // The window has passed B before the link is healed: the prediction is on screen.
  await page.locator('.marker-full', { hasText: 'full resync needed' }).waitFor();
  await screenshot(page, 'full-resync-needed');
  // B selected: its keys table flags what it lacks next to its master.
  await selectNode(page, 'B');
  await tab(page, 'Keys');
  await page.locator('.keys-summary.diff', { hasText: /^⚠ 1[2-9] keys differ from master A$/ }).waitFor();
  await screenshot(page, 'keys-differ'); // README's docs/screenshot.png
  await selectNode(page, 'A');
  await tab(page, 'Console');

  // Heal while paused, then step until the RDB is on the wire.
  await page.getByRole('button', { name: 'Pause' }).click();
  await linkMenu(page, 'A', 'B', 'Heal');
  const steps = await stepUntil(page, '.link[data-link=A-B] .rdb-progress');
  console.log(`RDB transfer on A → B after ${steps} steps`);
  assert.match(await page.locator('.link[data-link=A-B] .rdb-progress').textContent(), /RDB .* \/ \d+(\.\d)? KB/);
  assert.match(await page.locator('.topology .badge-full').textContent(), /^\+FULLRESYNC · RDB \d+(\.\d)? KB$/);
  assert.equal(await page.locator('.link[data-link=A-B].link-sync').count(), 1);
  await screenshot(page, 'rdb-transfer');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.locator('.link[data-link=A-B].link-up').waitFor({ timeout: 15_000 });
  const log = await page.locator('.event-list').textContent();
  assert.match(log, /A answered B: \+FULLRESYNC/);
  assert.match(log, /\+FULLRESYNC · RDB \d+(\.\d)? KB/);
  await page.locator('.marker-full').waitFor({ state: 'detached' });
  await screenshot(page, 'full-resync-done');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the scenario menu plays the examples (fetched from scenarios/)', async () => {
  const { page, problems } = await openPage();
  await page.getByLabel('scenario').selectOption('partial-resync-after-short-cut');
  // Fetched, then loaded: the ready scene's four cards give way to two.
  await page.waitForFunction(() => document.querySelectorAll('.node-card').length === 2);
  assert.deepEqual(await page.locator('.node-card').evaluateAll((cards) => cards.map((c) => c.dataset.node)), ['A', 'B']);
  await page.getByRole('combobox', { name: 'playback speed' }).selectOption('10');
  await page.locator('.event-list .badge-partial', { hasText: '+CONTINUE' }).waitFor({ timeout: 20_000 });
  await screenshot(page, 'scenario-partial');
  await page.getByLabel('scenario').selectOption('output-buffer-limit-loop');
  await page.locator('.hint', { hasText: 'output' }).waitFor();
  await page.getByLabel('scenario').selectOption('reset');
  await page.waitForFunction(() => document.querySelectorAll('.node-card').length === 4);
  assert.deepEqual(problems, []);
  await page.close();
});

test('20 nodes under a 5k writes/s workload all sync and keep up (budgets: see budgets.mjs)', async () => {
  const { page, problems } = await openPage();
  await page.locator('.node-card[data-node=A]').click();
  for (let i = 0; i < 16; i++) await page.getByRole('button', { name: 'Add a replica of A' }).click();
  assert.equal(await page.locator('.node-card').count(), 20);
  await page.getByRole('button', { name: 'Workload' }).click();
  await page.getByLabel('writes/s').fill('5000');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.waitForFunction(() => document.querySelectorAll('.link.link-up').length === 19, null, { timeout: 60_000 });
  // The writes are individual SETs, summarised in the event log, not one line each.
  const log = await page.locator('.event-list').textContent();
  assert.match(log, /workload: 5000 writes\/s/);
  await screenshot(page, 'twenty-nodes');
  assert.deepEqual(problems, []);
  await page.close();
});
