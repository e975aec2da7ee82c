// The contract between the native drain thread (addon/) and its users (tui/).
// Counters and nanosecond times are bigint end to end (timestamps exceed 2^53); a sample's time
// comes as its window number, which a number holds exactly.

/** Samples read from one counter set's `stream` since the previous take(), oldest first. */
export interface SampleBatch {
  /** Counter-set name, the directory under the proc dir. */
  readonly name: string;
  /**
   * Window number of each sample: its window's start (ns since the UNIX epoch, CLOCK_REALTIME)
   * divided by the set's period, an integer below 2^53. A sample whose timestamp is not a
   * multiple of the period, or lies 2^53 periods or more after the epoch, is malformed: it is
   * left out and the set's status says so, like any malformed line.
   */
  readonly windows: Float64Array;
  /** Cumulative frames at the end of each sample's window. */
  readonly frames: BigUint64Array;
  /** Cumulative bytes at the end of each sample's window. */
  readonly bytes: BigUint64Array;
  /**
   * Samples the kernel dropped just before each sample (`# lost K` preceding it),
   * plus samples the native queue discarded there because JavaScript did not take them.
   */
  readonly lostBefore: BigUint64Array;
}

/** What the drain knows of one watched counter set. */
export interface SetStatus {
  readonly name: string;
  /** From `config`: window width in ns and FIFO capacity in samples. */
  readonly periodNs: bigint;
  readonly capacity: number;
  /** From `config`: how many rules use the set. */
  readonly rules: number;
  /**
   * Everything the set matched since it was created, as a pair of one instant (what an export's
   * baseline is); never decreasing. When the set is (re)opened (start(), a rescan that finds it,
   * a retry after `stats` could not be read) they are `stats`, which includes the windows still
   * open then. From then on they are the cumulative counters of the newest sample read, once it
   * is as new as that `stats` or newer (as many frames or more): everything up to the end of the
   * latest window that had traffic, so after a round every window that ended by lastReadStartNs,
   * but nothing of a window still open. `stats` is not read again after each round.
   */
  readonly totalFrames: bigint;
  readonly totalBytes: bigint;
  /**
   * Samples this drain missed because the kernel overwrote them before it read them (`# lost K`
   * lines on its own `stream`), summed since watching began. Other readers' losses are not in it.
   */
  readonly kernelLost: bigint;
  /** Samples discarded by the native queue because take() was not called in time. */
  readonly queueDropped: bigint;
  /**
   * Of those, the ones no queued sample announces yet: they go into the next sample's
   * lostBefore. While it is non-zero, windows up to lastReadStartNs without a sample may be
   * dropped ones, not idle ones.
   */
  readonly queueOwedLost: bigint;
  /** Samples waiting in the native queue for take(). */
  readonly queueLength: number;
  /** Samples parsed from the kernel since watching began. */
  readonly samplesRead: bigint;
  /** Rounds of reading `stream` to its end since watching began. */
  readonly reads: bigint;
  /**
   * Samples the latest round read: how far behind the set's newest sample this drain was. A
   * drain more than `capacity` behind loses samples (kernelLost).
   */
  readonly lastReadSamples: number;
  /**
   * CLOCK_REALTIME (ns) taken just before the latest round of reading `stream` began. Every window that
   * ended at or before this instant has been delivered (a read closes ended windows), so
   * consumers may treat windows up to here without a sample as idle.
   */
  readonly lastReadStartNs: bigint;
  /** Interval the drain thread currently uses for this set, in ns (≤ period × capacity / 4). */
  readonly drainIntervalNs: bigint;
  /** Set while the set cannot be read (removed, unreadable, malformed text); cleared on recovery. */
  readonly error: string | null;
}

/** Something that happened on the drain thread, reported in order. */
export type DrainEvent =
  | { readonly type: 'added'; readonly name: string }
  | { readonly type: 'removed'; readonly name: string }
  | { readonly type: 'error'; readonly name: string | null; readonly message: string };

export interface DrainOptions {
  /** Directory holding one folder per counter set. Default `/proc/net/xt_pktstat`. */
  readonly procDir?: string;
  /** Only these set names (default: every set in procDir, following sets that appear and go). */
  readonly names?: readonly string[];
  /** Capacity of each set's native queue, in samples. Default 1,048,576. */
  readonly queueCapacity?: number;
  /**
   * Capacity of every set's queue together (and of those of sets that went, until taken), in
   * samples: what stalled sets may hold at once. Default 4,194,304 (128 MiB).
   */
  readonly totalQueueCapacity?: number;
  /** How often the drain thread rescans procDir for sets that appeared or went, in ms. Default 500. */
  readonly rescanMs?: number;
}

export interface DrainApi {
  /**
   * Starts the drain thread, after reading every watched set's `config` and `stats`. Throws a
   * one-line Error that says what to do when procDir is missing (module not loaded) or not
   * readable (not root), a named set does not exist, or a set's samples may not be read.
   */
  start(): void;
  /** Stops the thread, joins it and closes every descriptor. Idempotent. */
  stop(): void;
  /** Takes every queued sample, one batch per set that has any. Never blocks on I/O. */
  take(): SampleBatch[];
  /** Status of every watched set, sorted by name. */
  status(): SetStatus[];
  /** Events since the previous call, oldest first. */
  events(): DrainEvent[];
  /** Whether the drain thread is running. */
  readonly running: boolean;
}
