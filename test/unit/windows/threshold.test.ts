import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatThresholds,
  parseThreshold,
  parseThresholds,
  ratesPerSecond,
  windowLimits,
  windowLimitsNumber,
} from '../../../tui/src/windows/threshold.js';

test('rates parse exactly: prefixes, decimals, both units', () => {
  assert.deepEqual(parseThreshold('50kpps'), { unit: 'pps', rateNano: 50_000n * 10n ** 9n, text: '50kpps' });
  assert.equal(parseThreshold('800Mbps').rateNano, 800_000_000n * 10n ** 9n);
  assert.equal(parseThreshold('1.5Gbps').rateNano, 1_500_000_000n * 10n ** 9n);
  assert.equal(parseThreshold('0.000000001pps').rateNano, 1n);
  assert.equal(parseThreshold('7pps').rateNano, 7n * 10n ** 9n);
});

test('bad rates are refused in one line that names them', () => {
  for (const bad of ['', 'pps', '50', '50kps', '50Kpps', '5mpps', '1.2.3pps', '-5pps', '1.0000000001pps', '50 kpps']) {
    assert.throws(
      () => parseThreshold(bad),
      (e: Error) => e.message.startsWith(`threshold '${bad}': expected a rate`) && !e.message.includes('\n'),
      bad,
    );
  }
});

test('one threshold per unit; a second of the same unit is an error', () => {
  const t = parseThresholds(['33kpps', '800Mbps']);
  assert.equal(t.pps?.text, '33kpps');
  assert.equal(t.bps?.text, '800Mbps');
  assert.equal(formatThresholds(t), '33kpps 800Mbps');
  assert.throws(
    () => parseThresholds(['1kpps', '2kpps']),
    /threshold '2kpps': a pps threshold is already set \(1kpps\)/,
  );
  assert.equal(formatThresholds(parseThresholds([])), '');
});

test('SPEC example: 33kpps at 100 µs makes 4 frames hot and 3 not', () => {
  const l = windowLimits(parseThresholds(['33kpps']), 100_000n);
  assert.equal(l.frames, 3n);
  assert.equal(l.bytes, null);
});

test('limits are the exact integer comparison, at boundaries and for bps', () => {
  // 10 kpps at 1 ms: exactly 10 frames is not above the rate, 11 is.
  assert.equal(windowLimits(parseThresholds(['10kpps']), 1_000_000n).frames, 10n);
  // 8 Mbps at 1 ms: 8000 bits = 1000 bytes is the rate itself; hot from 1001 bytes.
  assert.equal(windowLimits(parseThresholds(['8Mbps']), 1_000_000n).bytes, 1000n);
  // 1 Mbps at 1 µs: 1 bit per window, so any byte is above it.
  assert.equal(windowLimits(parseThresholds(['1Mbps']), 1_000n).bytes, 0n);
  const n = windowLimitsNumber(parseThresholds(['8Mbps']), 1_000_000n);
  assert.equal(n.bytes, 1000);
  assert.equal(n.frames, Infinity);
});

test('rates per second for gauges: bps in bytes', () => {
  assert.deepEqual(ratesPerSecond(parseThresholds(['50kpps', '800Mbps'])), { frames: 50_000, bytes: 100_000_000 });
  assert.deepEqual(ratesPerSecond(parseThresholds([])), { frames: null, bytes: null });
});
