#include "parser.h"

#include <cstring>

namespace pktstat {

static const char kHeader[] = "# timestamp frames bytes";
static const char kLost[] = "# lost ";
// Window numbers from here on would not be exact in a JavaScript number (nor their successor).
static const uint64_t kMaxWindow = uint64_t(1) << 53;

bool parseU64(const char *s, size_t len, uint64_t *out)
{
	if (len == 0 || len > 20)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned d = static_cast<unsigned char>(s[i]) - '0';
		if (d > 9)
			return false;
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

void DataParser::beginRound()
{
	roundLost_ = 0;
	error_.clear();
}

void DataParser::fail(const std::string &why, const char *s, size_t len)
{
	if (!error_.empty())
		return;
	// Quote a bounded prefix so a garbage line cannot flood the message.
	const size_t shown = len > 48 ? 48 : len;
	error_ = why + ": \"";
	for (size_t i = 0; i < shown; i++) {
		const unsigned char c = static_cast<unsigned char>(s[i]);
		error_ += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
	}
	error_ += shown < len ? "...\"" : "\"";
}

void DataParser::line(const char *s, size_t len, std::vector<Record> &out)
{
	if (!headerSeen_) {
		headerSeen_ = true;
		if (len == sizeof(kHeader) - 1 && !memcmp(s, kHeader, len))
			return;
		// Reported, then parsed like any line: the header is what is missing, not this line.
		fail("data does not start with the header", s, len);
	}
	if (len > sizeof(kLost) - 1 && !memcmp(s, kLost, sizeof(kLost) - 1)) {
		uint64_t k;
		if (!parseU64(s + sizeof(kLost) - 1, len - (sizeof(kLost) - 1), &k) ||
		    pendingLost_ > UINT64_MAX - k) {
			fail("malformed lost count", s, len);
			return;
		}
		pendingLost_ += k;
		return;
	}
	const char *sp1 = static_cast<const char *>(memchr(s, ' ', len));
	const char *sp2 = sp1 ? static_cast<const char *>(memchr(sp1 + 1, ' ', len - (sp1 + 1 - s))) : nullptr;
	Record r;
	uint64_t ts;
	if (!sp2 || !parseU64(s, sp1 - s, &ts) ||
	    !parseU64(sp1 + 1, sp2 - sp1 - 1, &r.frames) ||
	    !parseU64(sp2 + 1, len - (sp2 + 1 - s), &r.bytes)) {
		fail("malformed sample line", s, len);
		return;
	}
	if (!periodNs_) {
		fail("sample before the set's period is known", s, len);
		return;
	}
	// A timestamp off the period's grid would land in a window it does not start.
	if (ts % periodNs_) {
		fail("timestamp not a multiple of the period " + std::to_string(periodNs_) + " ns", s, len);
		return;
	}
	r.window = ts / periodNs_;
	if (r.window >= kMaxWindow) {
		fail("timestamp beyond 2^53 periods", s, len);
		return;
	}
	r.lostBefore = pendingLost_;
	roundLost_ = satAdd(roundLost_, pendingLost_);
	pendingLost_ = 0;
	out.push_back(r);
}

void DataParser::feed(const char *buf, size_t len, std::vector<Record> &out)
{
	const char *p = buf;
	const char *end = buf + len;
	if (!partial_.empty()) {
		const char *nl = static_cast<const char *>(memchr(p, '\n', len));
		if (!nl) {
			partial_.append(p, len);
			return;
		}
		partial_.append(p, nl - p);
		line(partial_.data(), partial_.size(), out);
		partial_.clear();
		p = nl + 1;
	}
	while (p < end) {
		const char *nl = static_cast<const char *>(memchr(p, '\n', end - p));
		if (!nl) {
			partial_.assign(p, end - p);
			return;
		}
		line(p, nl - p, out);
		p = nl + 1;
	}
}

} // namespace pktstat
