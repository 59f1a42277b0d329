// The bundle budget, asserted (budgets.mjs only prints it, with the timing
// budgets that depend on the machine): the release build's wasm + js in
// dist/, each gzip -9, at most 350 kB. Run `trunk build --release` first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUNDLE_BUDGET_BYTES, bundle } from './harness.mjs';

test('the release bundle fits the 350 kB gzip -9 budget', () => {
  const b = bundle();
  assert.ok(b.parts.some((p) => p.file.endsWith('.wasm')), `no .wasm in dist/: ${b.parts.map((p) => p.file)}`);
  assert.ok(b.parts.some((p) => p.file.endsWith('.js')), `no .js in dist/: ${b.parts.map((p) => p.file)}`);
  assert.ok(b.gzip9 <= BUNDLE_BUDGET_BYTES, `bundle ${b.gzip9} B gzip -9, over the ${BUNDLE_BUDGET_BYTES} B budget`);
});
