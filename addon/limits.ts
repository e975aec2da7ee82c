// The contract's numbers on the TypeScript side (SPEC section 1 and 2), defined once; the C
// side has them in kernel/xt_pktstat.h.

/** Where each network namespace's counter sets are, one directory per set. */
export const PROC_DIR = '/proc/net/xt_pktstat';

/** A counter-set name: 1-15 of [A-Za-z0-9_.-], not starting with '.'. */
export const SET_NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,14}$/;

/** --period range, in ns (1 us .. 1 h). */
export const PERIOD_MIN_NS = 1_000n;
export const PERIOD_MAX_NS = 3_600_000_000_000n;

/** --samples range. */
export const SAMPLES_MIN = 1;
export const SAMPLES_MAX = 1_048_576;
