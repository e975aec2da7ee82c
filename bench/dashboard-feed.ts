// Plays the kernel for the dashboard benchmark: SETS counter sets with 100 µs windows, traffic in
// a share of the windows and a burst now and then, written in real time into a fake proc dir.
// A real `data` file drains when read; a regular file does not, so every tick rewrites each
// set's file in place with the samples of the last two ticks (a read missed loses nothing; the
// drain skips those it has delivered) and cuts it to that length. Files stay under the drain's
// 64 KiB read, so a read is one pread, and samples take 64 bytes each, 64-byte aligned, so a
// read racing a rewrite sees whole lines. Samples take 64 bytes each, 64-byte aligned, so that a read racing a
// rewrite sees whole lines. Usage: node dist/bench/dashboard-feed.js DIR [sets=64] [busy=0.5] [seconds=60]
import { closeSync, ftruncateSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
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
/** Room for two ticks of samples, all windows busy, under 64 KiB with the header. */
const KEPT = 1000;
const HEADER = '# timestamp frames bytes\n';
const LINE = 64;

const pad = (v: bigint | number, width: number) => v.toString().padStart(width, '0');
/** One sample in 64 bytes: a `# lost 0` line (nothing lost) and the sample, zero-padded. */
const sampleLine = (t: string, frames: number, bytes: number) =>
  `# lost 0\n${t} ${pad(frames, 16)} ${pad(bytes, 17)}\n`;

/** Writes `v` as `width` zero-padded digits ending before `end` (no strings: no garbage). */
function digits(buf: Buffer, end: number, width: number, v: number): void {
  for (let i = 1; i <= width; i++) {
    buf[end - i] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
}

interface FakeSet {
  fd: number;
  frames: number;
  bytes: number;
  /** The samples of the last two ticks, as lines, and their lengths. */
  previous: Buffer;
  previousLength: number;
  current: Buffer;
  currentLength: number;
  /** Windows left in the current burst. */
  burst: number;
}

/** A record's layout; each sample's digits are written over a copy. */
const RECORD = sampleLine(pad(0, 19), 0, 0);
const nowNs = () => BigInt(Date.now()) * 1_000_000n;
let next = (nowNs() / P) * P;
const sets: FakeSet[] = [];
for (let i = 0; i < SETS; i++) {
  const name = `set${String(i).padStart(2, '0')}`;
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'config'), `name: ${name}\nperiod_ns: ${P}\ncapacity: ${CAPACITY}\nrules: 1\n`);
  writeFileSync(join(dir, name, 'stats'), 'frames: 0\nbytes: 0\nsamples: 0\nlost: 0\nqueued: 0\n');
  const path = join(dir, name, 'data');
  // The first line fills the header's line up to 64 bytes: a window before the run, counters 0.
  const first = `${next - P} ${pad(0n, 8)} ${pad(0n, 9)}\n`;
  if (HEADER.length + first.length !== LINE) throw new Error('dashboard-feed: misaligned first line');
  writeFileSync(path, HEADER + first);
  const room = () => Buffer.from(RECORD.repeat(KEPT), 'latin1');
  sets.push({
    fd: openSync(path, 'r+'),
    frames: 0,
    bytes: 0,
    previous: room(),
    previousLength: 0,
    current: room(),
    currentLength: 0,
    burst: 0,
  });
}

let windows = 0;
let samples = 0;
const end = Date.now() + SECONDS * 1000;
const timer = setInterval(() => {
  const upto = ((nowNs() + AHEAD_NS) / P) * P;
  if (upto - next > MOST_WINDOWS * P) next = upto - MOST_WINDOWS * P;
  for (; next < upto; next += P) {
    windows++;
    const t = pad(next, 19);
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
      // The 64-byte record: "# lost 0\n" (9), the time (19), " ", 16 digits, " ", 17 digits, "\n".
      const at = s.currentLength;
      s.current.write(t, at + 9, 'latin1');
      digits(s.current, at + 45, 16, s.frames);
      digits(s.current, at + 63, 17, s.bytes);
      s.currentLength += LINE;
      samples++;
    }
  }
  for (const s of sets) {
    writeSync(s.fd, s.previous, 0, s.previousLength, LINE);
    writeSync(s.fd, s.current, 0, s.currentLength, LINE + s.previousLength);
    ftruncateSync(s.fd, LINE + s.previousLength + s.currentLength);
    [s.previous, s.current] = [s.current, s.previous];
    s.previousLength = s.currentLength;
    s.currentLength = 0;
  }
  if (Date.now() >= end) {
    clearInterval(timer);
    for (const s of sets) closeSync(s.fd);
    process.stdout.write(`dashboard-feed: ${windows} windows of 100µs, ${samples} samples in ${SECONDS} s\n`);
  }
}, TICK_MS);
