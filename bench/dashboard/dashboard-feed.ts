// Plays the kernel for the dashboard benchmark: SETS counter sets with 100 µs windows, traffic in
// a share of the windows and a burst now and then, appended in real time to each set's `stream`
// in a fake proc dir (a regular file the drain reads on from where it stopped, as from the
// kernel's). What the drain has surely read is punched out of the files now and then, so a long
// run does not fill memory (/dev/shm).
// Usage: node dist/bench/dashboard/dashboard-feed.js DIR [sets=64] [busy=0.5] [seconds=60]
import { execFile } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const [dir, setsArg = '64', busyArg = '0.5', secondsArg = '60'] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: dashboard-feed DIR [sets] [busy] [seconds]');
const SETS = Number(setsArg);
const BUSY = Number(busyArg);
const SECONDS = Number(secondsArg);
const P = 100_000n;
const CAPACITY = 1024;
const TICK_MS = 25;
/** The kernel's samples are there when the drain reads: windows are written this far ahead. */
const AHEAD_NS = 200_000_000n;
/** Windows written in one tick at most: a generator that fell behind skips ahead (idle time). */
const MOST_WINDOWS = 400n;
const HEADER = '# timestamp frames bytes\n';
/** A sample as written: 19-digit time, 16- and 17-digit counters, zero-padded (55 bytes). */
const RECORD = 55;
/** Bytes of each file kept behind what is written: seconds of samples, read long ago. */
const KEEP_BYTES = 4 << 20;
const PUNCH_MS = 5000;

/** Writes `v` as `width` zero-padded digits ending before `end` (no strings: no garbage). */
function digits(buf: Buffer, end: number, width: number, v: number): void {
  for (let i = 1; i <= width; i++) {
    buf[end - i] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
}

interface FakeSet {
  path: string;
  fd: number;
  frames: number;
  bytes: number;
  /** This tick's samples, and the bytes written to the file so far. */
  buf: Buffer;
  length: number;
  written: number;
  /** Windows left in the current burst. */
  burst: number;
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
let next = (nowNs() / P) * P;
const sets: FakeSet[] = [];
for (let i = 0; i < SETS; i++) {
  const name = `set${String(i).padStart(2, '0')}`;
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'config'), `name: ${name}\nperiod_ns: ${P}\ncapacity: ${CAPACITY}\nrules: 1\n`);
  writeFileSync(join(dir, name, 'stats'), 'frames: 0\nbytes: 0\nsamples: 0\nlost: 0\nqueued: 0\n');
  const path = join(dir, name, 'stream');
  writeFileSync(path, HEADER);
  const buf = Buffer.from(
    `${'0'.repeat(19)} ${'0'.repeat(16)} ${'0'.repeat(17)}\n`.repeat(Number(MOST_WINDOWS)),
    'latin1',
  );
  sets.push({ path, fd: openSync(path, 'a'), frames: 0, bytes: 0, buf, length: 0, written: HEADER.length, burst: 0 });
}

let windows = 0;
let samples = 0;
const end = Date.now() + SECONDS * 1000;
const timer = setInterval(() => {
  const upto = ((nowNs() + AHEAD_NS) / P) * P;
  if (upto - next > MOST_WINDOWS * P) next = upto - MOST_WINDOWS * P;
  for (; next < upto; next += P) {
    windows++;
    const t = next.toString();
    for (const s of sets) {
      if (s.burst === 0 && Math.random() < 0.0005) s.burst = 3 + Math.floor(Math.random() * 8);
      let frames = 0;
      if (s.burst > 0) {
        s.burst--;
        frames = 30 + Math.floor(Math.random() * 40);
      } else if (Math.random() < BUSY) frames = 1 + Math.floor(Math.random() * 6);
      if (frames === 0) continue;
      s.frames += frames;
      s.bytes += frames * (64 + Math.floor(Math.random() * 1400));
      const at = s.length;
      s.buf.write(t, at, 'latin1');
      digits(s.buf, at + 36, 16, s.frames);
      digits(s.buf, at + 54, 17, s.bytes);
      s.length += RECORD;
      samples++;
    }
  }
  for (const s of sets) {
    writeSync(s.fd, s.buf, 0, s.length);
    s.written += s.length;
    s.length = 0;
  }
  if (Date.now() >= end) {
    clearInterval(timer);
    clearInterval(punch);
    for (const s of sets) closeSync(s.fd);
    process.stdout.write(`dashboard-feed: ${windows} windows of 100µs, ${samples} samples in ${SECONDS} s\n`);
  }
}, TICK_MS);

// Frees what the drain read long ago (a hole reads as zeros, but nobody reads there again).
const punch = setInterval(() => {
  const args: string[] = [];
  for (const s of sets) {
    const len = Math.floor((s.written - KEEP_BYTES) / 4096) * 4096;
    if (len > 0) args.push(`fallocate -p -o 0 -l ${len} '${s.path}'`);
  }
  if (args.length > 0) execFile('sh', ['-c', args.join('; ')]);
}, PUNCH_MS);
