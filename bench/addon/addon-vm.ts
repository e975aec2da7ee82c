// Guest half of bench/addon/addon-vm.sh: drains the real /proc/net/xt_pktstat while UDP flows, then
// checks every set's samples against its `stats` and the packets sent; prints CPU use.
// Usage: node dist/bench/addon/addon-vm.js SETS PACKETS UDPSEND
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Drain } from '../../addon/index.js';
import { DRAIN_THREAD, threadCpuMs } from './addon-cpu.js';

const [setsArg, packetsArg, udpsend] = process.argv.slice(2);
const sets = Number(setsArg);
const packets = Number(packetsArg);
if (!Number.isSafeInteger(sets) || !Number.isSafeInteger(packets) || !udpsend) {
  throw new Error('usage: addon-vm.js SETS PACKETS UDPSEND');
}
const PAYLOAD = 100;
const IP_LEN = 20 + 8 + PAYLOAD; // what netfilter counts for an IPv4 UDP datagram
const names = Array.from({ length: sets }, (_, i) => `vm${i}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function stat(name: string, key: string): bigint {
  const text = readFileSync(`/proc/net/xt_pktstat/${name}/stats`, 'utf8');
  const m = new RegExp(`^${key}: (\\d+)$`, 'm').exec(text);
  if (!m) throw new Error(`addon-vm: no ${key} in ${name}/stats`);
  return BigInt(m[1]!);
}

interface Acc {
  samples: number;
  lastFrames: bigint;
  lastBytes: bigint;
  lastWindow: number;
  lost: bigint;
  backwards: number;
}
const newAcc = (list: string[]): Map<string, Acc> =>
  new Map(list.map((n) => [n, { samples: 0, lastFrames: 0n, lastBytes: 0n, lastWindow: -1, lost: 0n, backwards: 0 }]));

function takeInto(from: Drain, into: Map<string, Acc>): void {
  for (const b of from.take()) {
    const a = into.get(b.name)!;
    for (let i = 0; i < b.windows.length; i++) {
      if (b.windows[i]! <= a.lastWindow || b.frames[i]! < a.lastFrames) a.backwards++;
      a.lastWindow = b.windows[i]!;
      a.lastFrames = b.frames[i]!;
      a.lastBytes = b.bytes[i]!;
      a.lost += b.lostBefore[i]!;
    }
    a.samples += b.windows.length;
  }
}

function send(port: number, count: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const p = spawn(udpsend!, ['127.0.0.1', String(port), String(count), String(PAYLOAD)], { stdio: 'inherit' });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`udpsend exited ${code}`))));
  });
}

/** Takes every 250 ms until the kernel's frame totals of `list` stop moving for a second. */
async function settle(list: string[], take: () => void): Promise<void> {
  let total = -1n;
  for (let settled = 0; settled < 4; await sleep(250)) {
    take();
    const now = list.reduce((a, n) => a + stat(n, 'frames'), 0n);
    settled = now === total ? settled + 1 : 0;
    total = now;
  }
}

const acc = newAcc(names);
const drain = new Drain({ names });
drain.start();
const takeAll = (): void => takeInto(drain, acc);

const t0 = process.hrtime.bigint();
const cpu0 = threadCpuMs(DRAIN_THREAD);
const senders = names.map((_, i) => send(9000 + i, packets));
let sending = true;
const done = Promise.all(senders).finally(() => (sending = false));
while (sending) {
  takeAll(); // the dashboard's pace: JS takes every 200 ms, the thread drains on its own schedule
  await sleep(200);
}
await done;
const sendSec = Number(process.hrtime.bigint() - t0) / 1e9;
// Under emulation loopback delivery lags the senders: wait until the kernel's totals settle.
await settle(names, takeAll);
const busyMs = threadCpuMs(DRAIN_THREAD) - cpu0;
const busySec = Number(process.hrtime.bigint() - t0) / 1e9;
// Two 250 ms rounds at most close and deliver the last windows.
await sleep(600);
takeAll();

let bad = 0;
for (const n of names) {
  const a = acc.get(n)!;
  const st = drain.status().find((s) => s.name === n)!;
  const frames = stat(n, 'frames');
  const want = BigInt(packets);
  // The drain must end where the kernel's totals are; what loopback dropped is not its business.
  // So must its status totals, which follow the samples once `stats` was read at start().
  const ok =
    a.lastFrames === frames &&
    a.lastBytes === stat(n, 'bytes') &&
    a.lastBytes === frames * BigInt(IP_LEN) &&
    st.totalFrames === frames &&
    st.totalBytes === a.lastBytes &&
    a.backwards === 0;
  if (!ok) bad++;
  console.log(
    `${n}: ${a.samples} samples, frames ${a.lastFrames} (stats ${frames}, status ${st.totalFrames}, sent ${want}), bytes ${a.lastBytes}, ` +
      `lost ${a.lost} (kernel ${st.kernelLost}, queue ${st.queueDropped}; data's readers ${stat(n, 'lost')}), reads ${st.reads}, ` +
      `interval ${Number(st.drainIntervalNs) / 1e6} ms${ok ? '' : '  MISMATCH'}`,
  );
}
console.log(
  `traffic: ${sets} x ${packets} packets sent in ${sendSec.toFixed(2)} s, counted by ${busySec.toFixed(2)} s; ` +
    `drain thread CPU ${busyMs} ms = ${(busyMs / (busySec * 10)).toFixed(2)}% of one core (softirq work on its syscalls included)`,
);

const idle0 = threadCpuMs(DRAIN_THREAD);
await sleep(3000);
console.log(`idle: drain thread CPU ${threadCpuMs(DRAIN_THREAD) - idle0} ms in 3 s with ${sets} sets`);
drain.stop();

// Losses: a 2-sample kernel FIFO (set vmloss) and an 8-sample queue taken only every 250 ms.
// One more packet, in a later window, gives the owed losses a sample to ride on.
const lossAcc = newAcc(['vmloss']);
const lossy = new Drain({ names: ['vmloss'], queueCapacity: 8 });
lossy.start();
await send(9999, packets);
await settle(['vmloss'], () => takeInto(lossy, lossAcc));
await send(9999, 1);
await settle(['vmloss'], () => takeInto(lossy, lossAcc));
await sleep(600);
takeInto(lossy, lossAcc);
const l = lossAcc.get('vmloss')!;
const ls = lossy.status()[0]!;
lossy.stop();
// The drain's kernel losses are its own (`# lost K` on its stream; stats' lost is data's
// readers'): every sample the set emitted was either delivered or counted lost.
const emitted = stat('vmloss', 'samples');
// The totals follow every sample read, the ones the queue then dropped included.
const lossOk =
  l.lastFrames === stat('vmloss', 'frames') &&
  ls.totalFrames === l.lastFrames &&
  ls.totalBytes === l.lastBytes &&
  l.lost === ls.kernelLost + ls.queueDropped &&
  BigInt(l.samples) + l.lost === emitted &&
  l.backwards === 0;
if (!lossOk) bad++;
console.log(
  `vmloss: ${l.samples} samples + lostBefore sum ${l.lost} = stats samples ${emitted}; frames ${l.lastFrames} ` +
    `(stats ${stat('vmloss', 'frames')}); lost = kernel ${ls.kernelLost} (this reader's stream) + queue dropped ` +
    `${ls.queueDropped}${lossOk ? '' : '  MISMATCH'}`,
);
console.log(bad ? `addon-vm: ${bad} sets MISMATCH` : `addon-vm: all ${sets + 1} sets exact`);
process.exit(bad ? 1 : 0);
