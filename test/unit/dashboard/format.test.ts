import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../../tui/src/args/duration.js';
import { formatNs, si } from '../../../tui/src/dashboard/units.js';

test('si keeps three significant digits with k, M, G', () => {
  assert.equal(si(0), '0');
  assert.equal(si(999), '999');
  assert.equal(si(1000), '1.00k');
  assert.equal(si(1234), '1.23k');
  assert.equal(si(45_600), '45.6k');
  assert.equal(si(999_499), '999k');
  assert.equal(si(999_500), '1.00M');
  assert.equal(si(1_500_000_000), '1.50G');
  assert.equal(si(18_446_744_073_709_551_615n), '18.4E');
  assert.equal(si(0.5), '0.5');
});

test('formatNs picks the largest readable unit', () => {
  assert.equal(formatNs(1n), '1ns');
  assert.equal(formatNs(250_000n), '250µs');
  assert.equal(formatNs(1_500_000n), '1.5ms');
  assert.equal(formatNs(14_200_000n), '14.2ms');
  assert.equal(formatNs(100_000_000n), '100ms');
  assert.equal(formatNs(100_900_000n), '100ms');
  assert.equal(formatNs(2_000_000_000n), '2s');
  assert.equal(formatNs(90_000_000_000n), '1.5m');
  assert.equal(formatNs(3_600_000_000_000n), '1h');
});

test('durations parse exactly into nanoseconds', () => {
  assert.equal(parseDuration('10s'), 10_000_000_000n);
  assert.equal(parseDuration('500ms'), 500_000_000n);
  assert.equal(parseDuration('2m'), 120_000_000_000n);
  assert.equal(parseDuration('100us'), 100_000n);
  assert.equal(parseDuration('100µs'), 100_000n);
  assert.equal(parseDuration('7', { bareUnit: 's' }), 7_000_000_000n);
  assert.equal(parseDuration('18446744073709551615ns'), 18_446_744_073_709_551_615n);
});

test('bad durations say what is wrong', () => {
  assert.throws(() => parseDuration('7'), /'7' has no unit: add one of ns, us, µs, ms, s, m, h/);
  assert.throws(() => parseDuration('1.5s'), /'1.5s' is not a duration/);
  assert.throws(() => parseDuration('5d'), /unknown unit 'd'/);
  assert.throws(
    () => parseDuration('2m', { units: ['ns', 'us', 'ms', 's'] }),
    /unknown unit 'm': use one of ns, us, ms, s/,
  );
  assert.throws(() => parseDuration(''), /is not a duration/);
});
