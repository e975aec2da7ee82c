import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitArgs } from '../../../tui/src/args/argv.js';
import {
  addArgv,
  addRule,
  deleteSetRules,
  type Exec,
  findSetRules,
  setRules,
} from '../../../tui/src/rules/iptables.js';
import { type RuleForm, validateRule } from '../../../tui/src/rules/validate.js';

const form = (over: Partial<RuleForm>): RuleForm => ({
  family: 'ipv4',
  chain: 'INPUT',
  matches: '',
  period: '100',
  samples: '20',
  name: '',
  ...over,
});

test('free text splits into argv with quotes and escapes, never through a shell', () => {
  assert.deepEqual(splitArgs(`-p tcp --dport 80`), ['-p', 'tcp', '--dport', '80']);
  assert.deepEqual(splitArgs(`-m comment --comment 'two words' -s "a \\"b\\""`), [
    '-m',
    'comment',
    '--comment',
    'two words',
    '-s',
    'a "b"',
  ]);
  assert.deepEqual(splitArgs(`  x\\ y  '' ; $(rm)`), ['x y', '', ';', '$(rm)']);
  assert.throws(() => splitArgs(`--comment 'oops`), /unterminated single quote/);
  assert.throws(() => splitArgs(`a\\`), /backslash ends the text/);
});

test('each form input becomes the exact iptables argv', async () => {
  const cases: Array<[Partial<RuleForm>, string, string[]]> = [
    [{}, 'iptables', ['-A', 'INPUT', '-m', 'pktstat', '--period', '100', '--samples', '20']],
    [
      {
        family: 'ipv6',
        chain: 'FORWARD',
        matches: `-p udp -m comment --comment 'lab net'`,
        period: '250us',
        samples: '1048576',
        name: 'lab.v6',
      },
      'ip6tables',
      [
        '-A',
        'FORWARD',
        '-p',
        'udp',
        '-m',
        'comment',
        '--comment',
        'lab net',
        '-m',
        'pktstat',
        '--period',
        '250us',
        '--samples',
        '1048576',
        '--name',
        'lab.v6',
      ],
    ],
    [
      { period: '1s', samples: '1', name: 'web-1' },
      'iptables',
      ['-A', 'INPUT', '-m', 'pktstat', '--period', '1s', '--samples', '1', '--name', 'web-1'],
    ],
  ];
  for (const [over, file, argv] of cases) {
    const { spec, errors } = validateRule(form(over));
    assert.deepEqual(errors, {});
    assert.ok(spec);
    assert.deepEqual(addArgv(spec), argv);
    const calls: Array<[string, readonly string[]]> = [];
    const exec: Exec = async (f, a) => {
      calls.push([f, a]);
      return { stdout: '', stderr: '' };
    };
    assert.equal(await addRule(spec, exec), null);
    assert.deepEqual(calls, [[file, argv]]);
  }
});

test('the validator refuses what SPEC 1 refuses, naming the field', () => {
  const bad: Array<[Partial<RuleForm>, keyof RuleForm, RegExp]> = [
    [{ family: 'ipx' }, 'family', /ipv4 or ipv6/],
    [{ chain: '' }, 'chain', /chain is required/],
    [{ chain: 'MY CHAIN' }, 'chain', /no spaces/],
    [{ matches: `--comment 'x` }, 'matches', /unterminated single quote/],
    [{ period: '0' }, 'period', /out of range 1us .. 1h/],
    [{ period: '999ns' }, 'period', /out of range/],
    [{ period: '3601s' }, 'period', /out of range/],
    [{ period: '2m' }, 'period', /unknown unit 'm'/],
    [{ period: '10 ms x' }, 'period', /not a duration/],
    [{ samples: '0' }, 'samples', /out of range 1 .. 1048576/],
    [{ samples: '1048577' }, 'samples', /out of range/],
    [{ samples: '-3' }, 'samples', /not a whole number/],
    [{ name: '.hidden' }, 'name', /not starting with '.'/],
    [{ name: 'sixteen_chars_xx' }, 'name', /1-15 characters/],
    [{ name: 'a/b' }, 'name', /1-15 characters/],
  ];
  for (const [over, field, re] of bad) {
    const { spec, errors } = validateRule(form(over));
    assert.equal(spec, null, JSON.stringify(over));
    assert.deepEqual(Object.keys(errors), [field], JSON.stringify(over));
    assert.match(errors[field]!, re);
  }
  assert.equal(validateRule(form({ period: '3600s' })).spec?.periodNs, 3_600_000_000_000n);
  assert.equal(validateRule(form({ period: '1us' })).spec?.periodNs, 1_000n);
});

test("iptables' refusal comes back as its stderr; a missing binary says what to install", async () => {
  const { spec } = validateRule(form({ chain: 'NOPE' }));
  assert.ok(spec);
  const refuse: Exec = async () => {
    throw Object.assign(new Error('exit 1'), { code: 1, stderr: 'iptables: No chain/target/match by that name.\n' });
  };
  assert.equal(await addRule(spec, refuse), 'iptables: No chain/target/match by that name.');
  const missing: Exec = async () => {
    throw Object.assign(new Error('spawn iptables ENOENT'), { code: 'ENOENT' });
  };
  assert.equal(await addRule(spec, missing), 'iptables not found: install iptables (apt-get install iptables)');
});

const LISTING = `-P INPUT ACCEPT
-P FORWARD ACCEPT
-A INPUT -p tcp -m tcp --dport 80 -m pktstat --period 100ms --samples 20 --name web
-A INPUT -m pktstat --period 100ms --samples 20 --name web2
-A FORWARD -m comment --comment "web traffic" -m pktstat --period 100ms --samples 20 --name web -j ACCEPT
-A OUTPUT -m comment --comment "--name web" -j ACCEPT
`;

test('-S lines of the named set become -D argv lists', () => {
  assert.deepEqual(
    setRules('iptables', 'filter', LISTING, 'web').map((r) => r.argv),
    [
      [
        '-t',
        'filter',
        '-D',
        'INPUT',
        '-p',
        'tcp',
        '-m',
        'tcp',
        '--dport',
        '80',
        '-m',
        'pktstat',
        '--period',
        '100ms',
        '--samples',
        '20',
        '--name',
        'web',
      ],
      [
        '-t',
        'filter',
        '-D',
        'FORWARD',
        '-m',
        'comment',
        '--comment',
        'web traffic',
        '-m',
        'pktstat',
        '--period',
        '100ms',
        '--samples',
        '20',
        '--name',
        'web',
        '-j',
        'ACCEPT',
      ],
    ],
  );
});

// iptables-save's order: generic options, then each match with its own options, then the target.
// Only `--name` inside a pktstat match's options names a counter set.
const FIREWALL = `-A INPUT -p tcp -m tcp --dport 22 -m recent --rcheck --seconds 60 --name ssh --mask 255.255.255.255 --rsource -j DROP
-A INPUT -p tcp -m tcp --dport 22 -m recent --set --name ssh --mask 255.255.255.255 --rsource
-A INPUT -m pktstat --period 1s --samples 60 --name web -m recent --set --name ssh --mask 255.255.255.255 --rsource
-A INPUT -m recent --set --name ssh --mask 255.255.255.255 --rsource -m pktstat --period 1s --samples 60 --name web
-A INPUT -m comment --comment "-m pktstat --period 1s --samples 60 --name ssh" -j ACCEPT
-A INPUT -m comment --comment -m -m comment --comment pktstat -j ACCEPT
-A INPUT -m pktstat --period 1s --samples 60 --name ssh -m recent --set --name web --mask 255.255.255.255 --rsource -j ACCEPT
-A INPUT -m recent --rcheck --name web --mask 255.255.255.255 --rsource -m pktstat --period 10ms --samples 8 --name ssh
-A OUTPUT -m pktstat --name ssh --samples 60 --period 1s
`;

test("a set's rules are those whose pktstat match names it: --name of -m recent and comments are not", () => {
  assert.deepEqual(
    setRules('iptables', 'filter', FIREWALL, 'ssh').map((r) => r.argv.join(' ')),
    [
      '-t filter -D INPUT -m pktstat --period 1s --samples 60 --name ssh -m recent --set --name web --mask 255.255.255.255 --rsource -j ACCEPT',
      '-t filter -D INPUT -m recent --rcheck --name web --mask 255.255.255.255 --rsource -m pktstat --period 10ms --samples 8 --name ssh',
      '-t filter -D OUTPUT -m pktstat --name ssh --samples 60 --period 1s',
    ],
  );
  assert.deepEqual(
    setRules('iptables', 'filter', FIREWALL, 'web').map((r) => r.argv.join(' ')),
    [
      '-t filter -D INPUT -m pktstat --period 1s --samples 60 --name web -m recent --set --name ssh --mask 255.255.255.255 --rsource',
      '-t filter -D INPUT -m recent --set --name ssh --mask 255.255.255.255 --rsource -m pktstat --period 1s --samples 60 --name web',
    ],
  );
});

test('findSetRules lists every table of both families; deleteSetRules deletes exactly those rules', async () => {
  const calls: string[] = [];
  const exec: Exec = async (file, args) => {
    calls.push(`${file} ${args.join(' ')}`);
    if (args[2] === '-S') {
      if (file === 'iptables' && args[1] === 'filter') return { stdout: LISTING, stderr: '' };
      if (file === 'ip6tables' && args[1] === 'mangle')
        return { stdout: '-A PREROUTING -m pktstat --period 1ms --samples 8 --name web\n', stderr: '' };
      if (args[1] === 'security')
        throw Object.assign(new Error('exit 3'), {
          code: 3,
          stderr: "iptables v1.8.9 (legacy): can't initialize iptables table `security': Table does not exist\n",
        });
      return { stdout: '', stderr: '' };
    }
    return { stdout: '', stderr: '' };
  };
  const found = await findSetRules('web', exec);
  assert.ok(typeof found !== 'string', String(found));
  // What the confirmation shows: the rules as -S lists them, with their command and table.
  assert.deepEqual(
    found.map((r) => r.shown),
    [
      'iptables -t filter -A INPUT -p tcp -m tcp --dport 80 -m pktstat --period 100ms --samples 20 --name web',
      'iptables -t filter -A FORWARD -m comment --comment "web traffic" -m pktstat --period 100ms --samples 20 --name web -j ACCEPT',
      'ip6tables -t mangle -A PREROUTING -m pktstat --period 1ms --samples 8 --name web',
    ],
  );
  assert.equal(calls.filter((c) => c.includes(' -D ')).length, 0, 'listing deletes nothing');
  assert.equal(await deleteSetRules(found, exec), null);
  assert.deepEqual(
    calls.filter((c) => c.includes(' -D ')),
    [
      'iptables -t filter -D INPUT -p tcp -m tcp --dport 80 -m pktstat --period 100ms --samples 20 --name web',
      'iptables -t filter -D FORWARD -m comment --comment web traffic -m pktstat --period 100ms --samples 20 --name web -j ACCEPT',
      'ip6tables -t mangle -D PREROUTING -m pktstat --period 1ms --samples 8 --name web',
    ],
  );
  assert.equal(calls.filter((c) => c.endsWith(' -S')).length, 10);
  // A rule gone since it was listed: iptables' refusal, and nothing else is touched after it.
  const gone: Exec = async (file, args) => {
    calls.push(`${file} ${args.join(' ')}`);
    throw Object.assign(new Error('exit 1'), {
      code: 1,
      stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).\n',
    });
  };
  calls.length = 0;
  assert.equal(await deleteSetRules(found, gone), 'iptables: Bad rule (does a matching rule exist in that chain?).');
  assert.equal(calls.length, 1);
  assert.equal(await findSetRules('absent', exec), 'no iptables or ip6tables rule uses the name absent');
  const denied: Exec = async () => {
    throw Object.assign(new Error('exit 4'), {
      code: 4,
      stderr:
        'iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n',
    });
  };
  assert.equal(
    await findSetRules('web', denied),
    'iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)',
  );
});
