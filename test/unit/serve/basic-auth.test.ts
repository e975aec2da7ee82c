// basic_auth_users: real bcrypt checks on the worker thread, counted, to show what the cache
// saves and what it must never do (take a wrong password as good, or lose a good one to a flood).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { hashSync } from 'bcryptjs';
import { BasicAuth, parseBasic } from '../../../tui/src/serve/basic-auth.js';
import { BcryptVerifier } from '../../../tui/src/serve/bcrypt-verifier.js';

const verifier = new BcryptVerifier();
after(() => verifier.close());
/** The hashes bcrypt was run against, in order. */
const checked: string[] = [];
const counting = {
  verify: (password: string, hash: string) => {
    checked.push(hash);
    return verifier.verify(password, hash);
  },
};
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
// Cost 4 keeps the suite fast; the costlier hash is the decoy for unknown users.
const users = new Map([
  ['prometheus', hashSync('s3cret:with colon', 4)],
  ['grafana', hashSync('other', 5).replace('$2b$', '$2y$')],
]);

test('the Authorization header: Basic, base64, user:password split at the first colon, UTF-8 only', () => {
  assert.deepEqual(parseBasic(basic('u', 'p:q')), { user: 'u', password: 'p:q' });
  assert.deepEqual(parseBasic(`basic  ${Buffer.from('ü:é').toString('base64')}`), { user: 'ü', password: 'é' });
  for (const bad of [
    undefined,
    '',
    'Bearer abc',
    'Basic',
    'Basic !!!',
    `Basic ${Buffer.from('nocolon').toString('base64')}`,
  ])
    assert.equal(parseBasic(bad), null, String(bad));
  // Bytes that are not UTF-8 (0xff) are refused, not replaced.
  assert.equal(parseBasic(`Basic ${Buffer.from([0x75, 0x3a, 0xff]).toString('base64')}`), null);
});

test('a good password costs one bcrypt, then none; wrong ones always cost one and never displace it', async () => {
  const auth = new BasicAuth(users, counting);
  checked.length = 0;
  assert.equal(await auth.check(basic('prometheus', 's3cret:with colon')), 'granted');
  assert.equal(checked.length, 1);
  for (let i = 0; i < 5; i++) assert.equal(await auth.check(basic('prometheus', 's3cret:with colon')), 'granted');
  assert.equal(checked.length, 1, 'the scrapes after the first cost no bcrypt');
  for (const wrong of ['s3cret', 's3cret:with colo', 's3cret:with colon ', ''])
    assert.equal(await auth.check(basic('prometheus', wrong)), 'denied', wrong);
  // The same wrong password again is checked again: a refusal is not remembered either way.
  assert.equal(await auth.check(basic('prometheus', 's3cret')), 'denied');
  assert.equal(checked.length, 6);
  assert.equal(await auth.check(basic('prometheus', 's3cret:with colon')), 'granted');
  assert.equal(checked.length, 6, 'the good password is still remembered');
  // Another user's good password is not this user's.
  assert.equal(await auth.check(basic('grafana', 's3cret:with colon')), 'denied');
  assert.equal(await auth.check(basic('grafana', 'other')), 'granted');
  // No header, or not Basic: refused without a bcrypt.
  const before = checked.length;
  assert.equal(await auth.check(undefined), 'denied');
  assert.equal(await auth.check('Bearer x'), 'denied');
  assert.equal(checked.length, before);
});

test('an unknown user costs a bcrypt against the costliest hash, as a known user does: names are not told by timing', async () => {
  const auth = new BasicAuth(users, counting);
  checked.length = 0;
  assert.equal(await auth.check(basic('nobody', 'other')), 'denied');
  assert.equal(await auth.check(basic('nobody', 's3cret:with colon')), 'denied');
  assert.deepEqual(checked, [users.get('grafana'), users.get('grafana')]);
});

test('a flood of wrong passwords: beyond 16 waiting, refused at once as busy; a remembered password still passes', async () => {
  const auth = new BasicAuth(users, verifier);
  assert.equal(await auth.check(basic('prometheus', 's3cret:with colon')), 'granted');
  const flood = Array.from({ length: 40 }, (_, i) => auth.check(basic('prometheus', `wrong${i}`)));
  assert.equal(await auth.check(basic('prometheus', 's3cret:with colon')), 'granted');
  const results = await Promise.all(flood);
  assert.equal(results.filter((r) => r === 'denied').length, 16);
  assert.equal(results.filter((r) => r === 'busy').length, 24);
  assert.equal(await auth.check(basic('prometheus', 'wrong')), 'denied');
});
