import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PORT, formatListenAddress, parseListenAddress } from '../../../tui/src/serve/listen-address.js';

test('[HOST:]PORT: loopback unless a host is given; IPv6 in brackets', () => {
  assert.deepEqual(parseListenAddress('9999'), { host: '127.0.0.1', port: 9999 });
  assert.deepEqual(parseListenAddress('0.0.0.0'), { host: '0.0.0.0', port: DEFAULT_PORT });
  assert.deepEqual(parseListenAddress('[::]'), { host: '::', port: DEFAULT_PORT });
  assert.deepEqual(parseListenAddress('0.0.0.0:80'), { host: '0.0.0.0', port: 80 });
  assert.deepEqual(parseListenAddress('localhost:0'), { host: 'localhost', port: 0 });
  assert.deepEqual(parseListenAddress('[::1]:9100'), { host: '::1', port: 9100 });
  assert.deepEqual(parseListenAddress('[::]:65535'), { host: '::', port: 65535 });
  assert.equal(formatListenAddress({ host: '::1', port: 5 }), '[::1]:5');
  assert.equal(formatListenAddress({ host: 'h.example', port: 5 }), 'h.example:5');
  assert.ok(DEFAULT_PORT >= 9100 && DEFAULT_PORT <= 9999);
});

test('bad addresses are one-line errors that name the text and the problem', () => {
  const cases: [string, RegExp][] = [
    ['65536', /'65536' is not a port/],
    ['x_y', /'x_y' is not a host name/],
    [':9100', /host is empty/],
    ['::1:9100', /IPv6 address goes in brackets/],
    ['[::1]9', /\[ADDRESS\]:PORT/],
    ['', /'' is not a host name/],
    ['[nope]:1', /'nope' is not an IPv6 address/],
    ['a b:1', /'a b' is not a host name/],
    ['host:', /'' is not a port/],
  ];
  for (const [text, why] of cases) {
    assert.throws(
      () => parseListenAddress(text),
      (e: Error) => e.message.startsWith(`--serve '${text}': `) && why.test(e.message) && !e.message.includes('\n'),
      text,
    );
  }
});
