// Preloaded into the process a benchmark watches (node --import): writes its V8 heap in use and
// heap size, in KiB, to $PKTSTAT_HEAP_FILE every second, so memory can be told apart from the
// heap's own growth without touching the program.
import { writeFileSync } from 'node:fs';

const file = process.env.PKTSTAT_HEAP_FILE;
if (file !== undefined && file !== '') {
  setInterval(() => {
    const m = process.memoryUsage();
    writeFileSync(file, `${Math.round(m.heapUsed / 1024)} ${Math.round(m.heapTotal / 1024)}\n`);
  }, 1000).unref();
}
