// CPU time of named threads of this process, for the addon benchmarks.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU ms (user + system) of this process's threads named `comm`, from /proc/self/task (10 ms ticks). */
export function threadCpuMs(comm: string): number {
  let ticks = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    const task = `/proc/self/task/${tid}`;
    if (readFileSync(`${task}/comm`, 'utf8').trim() !== comm) continue;
    // Fields after the parenthesised name; utime and stime are fields 14 and 15 of stat.
    const fields = readFileSync(`${task}/stat`, 'utf8').split(') ')[1]!.split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** The drain thread's name, set by DrainThread::run() in addon/src/drain_thread.cc. */
export const DRAIN_THREAD = 'pktstat-drain';
