// Parser for the text of /proc/net/xt_pktstat/NAME/stream (SPEC 2; the same text as `data`).
#ifndef PKTSTAT_PARSER_H
#define PKTSTAT_PARSER_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pktstat {

struct Record {
	// Window number: the sample's timestamp divided by the set's period (SPEC 2 makes it a
	// multiple), below 2^53 so that JavaScript holds it exactly as a number.
	uint64_t window;
	uint64_t frames;
	uint64_t bytes;
	uint64_t lostBefore;
};

// Parses the text of one open file of one set (setPeriod first), read sequentially: the header once, then sample and
// `# lost K` lines, fed in pieces of any size. A line split across pieces, or across rounds
// (a file still being written), is parsed once it is whole.
class StreamParser {
public:
	// Longer lines are refused as they come, without keeping more of them: the longest the
	// kernel writes is a sample line of three 20-digit numbers.
	static constexpr size_t kMaxLine = 128;

	// The set's period (from `config`); lines are parsed only once it is known (non-zero).
	void setPeriod(uint64_t periodNs) { periodNs_ = periodNs; }
	uint64_t period() const { return periodNs_; }
	// Starts a round (the reads up to the end of what the file has): its error starts afresh.
	void beginRound() { error_.clear(); }
	// Appends every whole sample line in [buf, buf+len) to out.
	void feed(const char *buf, size_t len, std::vector<Record> &out);

	// Samples reported lost by `# lost K` lines that reached out since the previous call.
	uint64_t takeKernelLost();
	// First malformed line of the round (empty when none).
	const std::string &roundError() const { return error_; }

private:
	void line(const char *s, size_t len, std::vector<Record> &out);
	// A line over kMaxLine; head holds its first bytes, len is how long it is at least.
	void longLine(const char *head, size_t len);
	void fail(const std::string &why, const char *s, size_t len);

	uint64_t periodNs_ = 0;
	std::string partial_;
	bool skipping_ = false; // in a line over kMaxLine, already refused: dropped up to its end
	bool headerSeen_ = false;
	uint64_t pendingLost_ = 0;
	uint64_t announcedLost_ = 0;
	std::string error_;
};

// Sums that cannot wrap: loss counts are "at least" once they reach 2^64-1.
inline uint64_t satAdd(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

// Parses a decimal u64 of exactly len characters; false on empty, non-digit or overflow.
bool parseU64(const char *s, size_t len, uint64_t *out);

} // namespace pktstat

#endif
