// The module's proc files (SPEC 2): the set directory listing, `config` and `stats` as
// `key: value` text, and the one-line errors that say what to do when they cannot be read.
#ifndef PKTSTAT_PROC_FILES_H
#define PKTSTAT_PROC_FILES_H

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "parser.h"

namespace pktstat {

// Whether a directory entry's name is a counter-set name (SPEC 1).
bool isSetName(const std::string &name);

// The counter sets in procDir, restricted to `wanted` unless it is empty; errno or 0.
int listSets(const std::string &procDir, const std::vector<std::string> &wanted, std::vector<std::string> *names);

// Throws std::runtime_error, one line saying what to do, unless procDir is a directory this
// process may list and holds every set in `names`.
void checkProcDir(const std::string &procDir, const std::vector<std::string> &names);

// What the open of a set file gives, in place of an errno, for anything but a regular file
// or a directory (a FIFO would block, a device would never end).
const int kNotRegularFile = -1;

// The one-line error for a set file that cannot be opened or read: err is an errno or
// kNotRegularFile.
std::string fileError(const std::string &path, int err);

// `config`: what the drain needs of it.
struct SetConfig {
	uint64_t periodNs = 0;
	uint32_t capacity = 0;
	uint32_t rules = 0;
};

// `stats`: the set's running totals (its `lost` and `queued` are `data`'s readers', not ours).
struct SetStats {
	uint64_t frames = 0;
	uint64_t bytes = 0;
};

// Reads `config` in dir; returns "" or a one-line problem.
std::string readConfig(const std::string &dir, SetConfig *out);

// Reads `stats` in dir; returns "" or a one-line problem.
std::string readStats(const std::string &dir, SetStats *out);

// The file of samples the drain reads in a set's directory.
extern const char kSampleFile[];

// Opens a set's sample file; returns errno, kNotRegularFile or 0.
int openSamples(const std::string &dir, int *fd, dev_t *dev, ino_t *ino);

// Reads on from where the previous call stopped, through buf into parser and out, up to the end
// (a short read: *atEnd is set), or until maxBytes are read or stop is set; errno or 0.
int readSamples(int fd, std::vector<char> &buf, size_t maxBytes, const std::atomic<bool> &stop,
		StreamParser &parser, std::vector<Record> &out, bool *atEnd);

} // namespace pktstat

#endif
