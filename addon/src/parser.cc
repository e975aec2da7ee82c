#include "parser.h"

#include <algorithm>
#include <cstring>

namespace pktstat {

static const char kHeader[] = "# timestamp frames bytes";
static const char kLost[] = "# lost ";
// Window numbers from here on would not be exact in a JavaScript number (nor their successor).
static const uint64_t kMaxWindow = uint64_t(1) << 53;

namespace {

// Eight digit characters as one number, or false: all eight compared and combined at once,
// in pairs, then fours, then the eight (each step's sums stay inside their byte lanes).
bool eightDigits(const char *s, uint64_t *out)
{
	uint64_t c;
	memcpy(&c, s, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	c = __builtin_bswap64(c);
#endif
	// A digit is 0x30..0x39: its high nibble is 3, and adding 6 leaves it 3.
	const uint64_t high = 0xF0F0F0F0F0F0F0F0u;
	if ((c & high) != 0x3030303030303030u || ((c + 0x0606060606060606u) & high) != 0x3030303030303030u)
		return false;
	c -= 0x3030303030303030u;
	c = (c * 10 + (c >> 8)) & 0x00FF00FF00FF00FFu;
	c = (c * 100 + (c >> 16)) & 0x0000FFFF0000FFFFu;
	*out = (c * 10000 + (c >> 32)) & 0xFFFFFFFFu;
	return true;
}

} // namespace

bool parseU64(const char *s, size_t len, uint64_t *out)
{
	if (len == 0 || len > 20)
		return false;
	// 19 digits cannot overflow (10^19 - 1 < 2^64 - 1): only a 20th digit needs the check.
	// Digit by digit with that check was half the drain thread's time.
	const size_t unchecked = len < 20 ? len : 19;
	uint64_t v = 0;
	size_t i = 0;
	for (uint64_t eight; i + 8 <= unchecked; i += 8) {
		if (!eightDigits(s + i, &eight))
			return false;
		v = v * 100000000u + eight;
	}
	for (; i < unchecked; i++) {
		unsigned d = static_cast<unsigned char>(s[i]) - '0';
		if (d > 9)
			return false;
		v = v * 10 + d;
	}
	if (len == 20) {
		unsigned d = static_cast<unsigned char>(s[19]) - '0';
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

uint64_t StreamParser::takeKernelLost()
{
	const uint64_t lost = announcedLost_;
	announcedLost_ = 0;
	return lost;
}

void StreamParser::fail(const std::string &why, const char *s, size_t len)
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

void StreamParser::longLine(const char *head, size_t len)
{
	headerSeen_ = true;
	fail("line longer than " + std::to_string(kMaxLine) + " bytes", head, len);
}

void StreamParser::line(const char *s, size_t len, std::vector<Record> &out)
{
	if (len > kMaxLine) {
		longLine(s, len);
		return;
	}
	if (!headerSeen_) {
		headerSeen_ = true;
		if (len == sizeof(kHeader) - 1 && !memcmp(s, kHeader, len))
			return;
		// Reported, then parsed like any line: the header is what is missing, not this line.
		fail("does not start with the header", s, len);
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
	announcedLost_ = satAdd(announcedLost_, pendingLost_);
	pendingLost_ = 0;
	out.push_back(r);
}

void StreamParser::feed(const char *buf, size_t len, std::vector<Record> &out)
{
	const char *p = buf;
	const char *end = buf + len;
	if (skipping_) {
		const char *nl = static_cast<const char *>(memchr(p, '\n', len));
		if (!nl)
			return;
		skipping_ = false;
		p = nl + 1;
	}
	if (!partial_.empty() && p < end) {
		const char *nl = static_cast<const char *>(memchr(p, '\n', end - p));
		const size_t part = (nl ? nl : end) - p;
		if (partial_.size() + part > kMaxLine) {
			const std::string head = partial_ + std::string(p, std::min<size_t>(part, kMaxLine));
			longLine(head.data(), partial_.size() + part);
			partial_.clear();
			skipping_ = !nl;
			if (!nl)
				return;
			p = nl + 1;
		} else if (!nl) {
			partial_.append(p, part);
			return;
		} else {
			partial_.append(p, part);
			line(partial_.data(), partial_.size(), out);
			partial_.clear();
			p = nl + 1;
		}
	}
	while (p < end) {
		const char *nl = static_cast<const char *>(memchr(p, '\n', end - p));
		if (!nl) {
			if (static_cast<size_t>(end - p) > kMaxLine) {
				longLine(p, end - p);
				skipping_ = true;
			} else {
				partial_.assign(p, end - p);
			}
			return;
		}
		line(p, nl - p, out);
		p = nl + 1;
	}
}

} // namespace pktstat
