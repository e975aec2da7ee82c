// Parser for the text of /proc/net/xt_pktstat/NAME/data (SPEC 2).
#ifndef PKTSTAT_PARSER_H
#define PKTSTAT_PARSER_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pktstat {

struct Record {
	uint64_t ts;
	uint64_t frames;
	uint64_t bytes;
	uint64_t lostBefore;
};

// Parses one set's reads round by round. A round is the text of one read from offset 0 up to
// EOF, fed in pieces of any size; lines may be split across pieces.
class DataParser {
public:
	void beginRound();
	// Appends every whole sample line in [buf, buf+len) to out.
	void feed(const char *buf, size_t len, std::vector<Record> &out);
	// Finishes the round. Text after the last newline is ignored: the kernel writes whole
	// lines only, so it can only be a file that is being written, to be read again next round.
	void endRound();

	// Samples reported lost by `# lost K` lines in this round that reached out.
	uint64_t roundKernelLost() const { return roundLost_; }
	// First malformed line of the round (empty when none).
	const std::string &roundError() const { return error_; }

private:
	void line(const char *s, size_t len, std::vector<Record> &out);
	void fail(const char *why, const char *s, size_t len);

	std::string partial_;
	bool headerSeen_ = false;
	uint64_t pendingLost_ = 0;
	uint64_t roundLost_ = 0;
	// Timestamps strictly increase (SPEC 2): a sample not newer than this is text read before.
	uint64_t lastTs_ = 0;
	bool haveLastTs_ = false;
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
