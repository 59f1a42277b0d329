// Measures the playground's budgets (issue 5) against the release build in
// dist/, and prints them. Not a test (the timings depend on the machine), and
// `node --test` does not run it; the bundle budget alone is asserted, by
// bundle.test.mjs. After `trunk build --release` at the repository root:
//
//   node tests/e2e/budgets.mjs            # human-readable report
//   node tests/e2e/budgets.mjs --json     # the same numbers as JSON
//
// Budgets: bundle (wasm + js, gzip -9) ≤ 350 KB; first render ≤ 1 s on a
// local server; p95 frame time ≤ 16.7 ms with 20 nodes and a 5k writes/s
// workload at 1× in headless Chromium, from requestAnimationFrame
// timestamps. Timings depend on the machine and its load: the report
// includes the load average and CPU count; docs/ui-budgets.md says how to
// read them.
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_BUDGET_BYTES, bundle, newPage, screenshot, startHarness } from './harness.mjs';

const json = process.argv.includes('--json');
/** First-render runs (a fresh page each); the median is reported. */
const RENDER_RUNS = 5;
/** Frames per frame-time sample (about 10 s at 60 Hz). */
const FRAMES = 600;

const log = (line) => {
  if (!json) console.log(line);
};

/**
 * Navigation start → the first node card in the DOM, as the page's own
 * clock sees it (performance.now(); a MutationObserver installed before any
 * script runs), so the harness's round trips are not counted.
 */
async function firstRender(harness) {
  const { page } = await newPage(harness.browser);
  await page.addInitScript(() => {
    const seen = () => {
      if (document.querySelector('.node-card') && window.__firstCardMs === undefined) {
        window.__firstCardMs = performance.now();
      }
    };
    new MutationObserver(seen).observe(document, { childList: true, subtree: true });
  });
  await page.goto(harness.url);
  await page.waitForFunction(() => window.__firstCardMs !== undefined, null, { timeout: 30_000 });
  const ms = await page.evaluate(() => window.__firstCardMs);
  await page.close();
  return ms;
}

/**
 * `FRAMES` requestAnimationFrame intervals (ms), measured in the page, and
 * the main thread's busy time per frame over the same frames (Chromium's
 * own counters: all tasks, and script, style and layout within them), which
 * says how much of a frame the app needs when the CPU is shared.
 */
async function frameIntervals(page, cdp) {
  const metrics = async () =>
    Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await metrics();
  const intervals = await frameIntervalsOnly(page);
  const after = await metrics();
  const perFrame = (name) => Number((((after[name] - before[name]) * 1000) / intervals.length).toFixed(2));
  const busy = {
    task: perFrame('TaskDuration'),
    script: perFrame('ScriptDuration'),
    style: perFrame('RecalcStyleDuration'),
    layout: perFrame('LayoutDuration'),
  };
  return { intervals, busy };
}

function frameIntervalsOnly(page) {
  return page.evaluate(
    (count) =>
      new Promise((done) => {
        const times = [];
        const tick = (t) => {
          times.push(t);
          if (times.length <= count) requestAnimationFrame(tick);
          else done(times.slice(1).map((x, i) => x - times[i]));
        };
        requestAnimationFrame(tick);
      }),
    FRAMES,
  );
}

function stats(frames) {
  const sorted = [...frames].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
  // At 60 Hz, intervals are multiples of 16.7 ms (± timestamp jitter): a
  // frame longer than 1.5 intervals missed a vsync.
  const late = sorted.filter((x) => x > 25).length;
  return {
    frames: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1],
    missedVsyncPct: Number(((100 * late) / sorted.length).toFixed(1)),
  };
}

/** 20 nodes (A and 19 replicas), 5000 writes/s at 1×: frame times while the new replicas sync, then steady. */
async function frameTimes(harness) {
  const { page, problems } = await newPage(harness.browser);
  await page.goto(harness.url);
  await page.locator('.node-card[data-node=A]').waitFor({ timeout: 30_000 });
  await page.locator('.node-card[data-node=A]').click();
  for (let i = 0; i < 16; i++) await page.getByRole('button', { name: 'Add a replica of A' }).click();
  await page.getByRole('button', { name: 'Workload' }).click();
  await page.getByLabel('writes/s').fill('5000');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const sample = async () => {
    const { intervals, busy } = await frameIntervals(page, cdp);
    return { ...stats(intervals), busyMsPerFrame: busy };
  };
  const syncing = await sample();
  await page.waitForFunction(() => document.querySelectorAll('.link.link-up').length === 19, null, {
    timeout: 60_000,
  });
  const steady = await sample();
  const clock = await page.getByTestId('clock').textContent();
  await screenshot(page, 'budget-twenty-nodes');
  await page.close();
  return { syncing, steady, clock, problems };
}

const harness = await startHarness();
try {
  const load = loadavg();
  const machine = { cpus: cpus().length, loadavg: load.map((x) => Number(x.toFixed(2))) };
  log(`machine: ${machine.cpus} CPUs, load average ${machine.loadavg.join(' ')} (1, 5, 15 min)`);

  const b = bundle();
  for (const p of b.parts) log(`bundle: ${p.file}: ${p.bytes} B, gzip -9 ${p.gzip9} B`);
  log(`bundle (wasm + js, gzip -9): ${b.gzip9} B = ${(b.gzip9 / 1000).toFixed(1)} kB (budget ${BUNDLE_BUDGET_BYTES / 1000} kB)`);

  const renders = [];
  for (let i = 0; i < RENDER_RUNS; i++) renders.push(await firstRender(harness));
  const render = { runs: renders.map((x) => Number(x.toFixed(1))), median: stats(renders).p50 };
  log(`first render (navigation → first node card): median ${render.median.toFixed(0)} ms of ${render.runs.join(', ')} (budget 1000 ms)`);

  const frames = await frameTimes(harness);
  const show = (s) =>
    `p95 ${s.p95.toFixed(1)} ms, median ${s.p50.toFixed(1)} ms, max ${s.max.toFixed(1)} ms over ${s.frames} frames ` +
    `(${s.missedVsyncPct}% missed a vsync); ` +
    `main thread busy ${s.busyMsPerFrame.task} ms/frame (script ${s.busyMsPerFrame.script}, style ${s.busyMsPerFrame.style}, layout ${s.busyMsPerFrame.layout})`;
  log(`frame time, 20 nodes, 5000 writes/s, 1×, while 16 replicas sync: ${show(frames.syncing)}`);
  log(`frame time, 20 nodes, 5000 writes/s, 1×, steady state:          ${show(frames.steady)} (budget p95 16.7 ms)`);
  log(`virtual clock at the end: ${frames.clock}`);
  if (frames.problems.length) log(`page problems: ${frames.problems.join('; ')}`);
  if (json) console.log(JSON.stringify({ machine, bundle: b, firstRenderMs: render, frameTimes: frames }, null, 2));
} finally {
  await harness.close();
}
