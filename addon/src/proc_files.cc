#include "proc_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

#include "../../kernel/xt_pktstat.h"

namespace pktstat {

// Every reader of `stream` has its own position: other readers (dashboards, exports, `cat
// data`) neither take samples from this one nor lose any to it.
const char kSampleFile[] = "stream";

namespace {

std::string errnoText(int err)
{
	return std::strerror(err);
}

bool permissionError(int err)
{
	return err == EACCES || err == EPERM;
}

// Opens a set file for reading; returns errno, kNotRegularFile or 0. The type is checked before
// the open, which a device may act on, and again on what was opened, which O_NONBLOCK keeps
// from blocking on a FIFO.
int openRegular(const std::string &path, int *fd, struct stat *sb)
{
	auto kind = [](const struct stat &s) {
		return S_ISREG(s.st_mode) ? 0 : S_ISDIR(s.st_mode) ? EISDIR : kNotRegularFile;
	};
	if (stat(path.c_str(), sb) < 0)
		return errno;
	if (int err = kind(*sb))
		return err;
	int f = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f < 0)
		return errno;
	int err = fstat(f, sb) < 0 ? errno : kind(*sb);
	if (err) {
		close(f);
		return err;
	}
	*fd = f;
	return 0;
}

// Reads a small file whole; returns errno, kNotRegularFile or 0.
int readSmallFile(const std::string &path, std::string *out)
{
	struct Closer {
		int fd = -1;
		~Closer()
		{
			if (fd >= 0)
				close(fd); // also when append() throws
		}
	} f;
	struct stat sb;
	if (int err = openRegular(path, &f.fd, &sb))
		return err;
	out->clear();
	char buf[4096];
	// config and stats are a few lines; the bound keeps a strange file from growing the string.
	while (out->size() < (1 << 20)) {
		ssize_t n = read(f.fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		out->append(buf, n);
		// A short read is the end (seq_file hands out all it has; so does a regular file):
		// asking again for the 0 would cost a syscall per file.
		if (static_cast<size_t>(n) < sizeof(buf))
			break;
	}
	return 0;
}

// Finds `key: value` in the text and parses value as u64.
bool keyValue(const std::string &text, const char *key, uint64_t *out)
{
	const size_t klen = strlen(key);
	size_t pos = 0;
	while (pos < text.size()) {
		size_t eol = text.find('\n', pos);
		if (eol == std::string::npos)
			eol = text.size();
		if (eol - pos > klen + 2 && !text.compare(pos, klen, key) &&
		    !text.compare(pos + klen, 2, ": "))
			return parseU64(text.data() + pos + klen + 2, eol - pos - klen - 2, out);
		pos = eol + 1;
	}
	return false;
}

} // namespace

bool isSetName(const std::string &name)
{
	if (name.empty() || name.size() >= XT_PKTSTAT_NAME_LEN || name[0] == '.')
		return false;
	for (char c : name)
		if (!xt_pktstat_name_char_ok(c))
			return false;
	return true;
}

int listSets(const std::string &procDir, const std::vector<std::string> &wanted, std::vector<std::string> *names)
{
	names->clear();
	DIR *d = opendir(procDir.c_str());
	if (!d)
		return errno;
	std::set<std::string> only(wanted.begin(), wanted.end());
	while (struct dirent *e = readdir(d)) {
		std::string name = e->d_name;
		if (!isSetName(name) || (!only.empty() && !only.count(name)))
			continue;
		if (e->d_type == DT_DIR) {
			names->push_back(name);
		} else if (e->d_type == DT_UNKNOWN) {
			struct stat sb;
			if (stat((procDir + "/" + name).c_str(), &sb) == 0 && S_ISDIR(sb.st_mode))
				names->push_back(name);
		}
	}
	closedir(d);
	return 0;
}

void checkProcDir(const std::string &procDir, const std::vector<std::string> &names)
{
	struct stat sb;
	const int statErr = stat(procDir.c_str(), &sb) < 0 ? errno : S_ISDIR(sb.st_mode) ? 0 : ENOTDIR;
	if (statErr) {
		if (permissionError(statErr))
			throw std::runtime_error("cannot list " + procDir + ": not permitted, run pktstat-top as root");
		throw std::runtime_error(
			procDir == XT_PKTSTAT_PROC_DIR
				? procDir + " is missing: the module is not loaded, run modprobe xt_pktstat (as root)"
				: procDir + " is missing: load the module (modprobe xt_pktstat) or pass an existing proc dir");
	}
	std::vector<std::string> present;
	int err = listSets(procDir, {}, &present);
	if (permissionError(err))
		throw std::runtime_error("cannot list " + procDir + ": not permitted, run pktstat-top as root");
	if (err)
		throw std::runtime_error("cannot list " + procDir + ": " + errnoText(err));
	std::sort(present.begin(), present.end());
	for (const std::string &name : names) {
		if (std::find(present.begin(), present.end(), name) != present.end())
			continue;
		std::string known;
		for (const std::string &p : present)
			known += (known.empty() ? "counter sets here: " : ", ") + p;
		if (known.empty())
			known = "no counter sets exist yet";
		throw std::runtime_error("unknown rule '" + name + "': no " + procDir + "/" + name + " (" + known +
					 "); add it with iptables -m pktstat --name " + name);
	}
}

std::string fileError(const std::string &path, int err)
{
	if (err == kNotRegularFile)
		return "cannot read " + path + ": not a regular file";
	if (permissionError(err))
		return "cannot read " + path + ": not permitted, run pktstat-top as root";
	return "cannot read " + path + ": " + errnoText(err);
}

std::string readConfig(const std::string &dir, SetConfig *out)
{
	std::string text;
	const std::string path = dir + "/config";
	int err = readSmallFile(path, &text);
	uint64_t period = 0, capacity = 0, rules = 0;
	if (err)
		return fileError(path, err);
	if (!keyValue(text, "period_ns", &period) || period == 0)
		return "config has no valid period_ns";
	if (!keyValue(text, "capacity", &capacity) || capacity == 0 || capacity > UINT32_MAX)
		return "config has no valid capacity";
	if (!keyValue(text, "rules", &rules) || rules > UINT32_MAX)
		return "config has no valid rules";
	out->periodNs = period;
	out->capacity = static_cast<uint32_t>(capacity);
	out->rules = static_cast<uint32_t>(rules);
	return "";
}

std::string readStats(const std::string &dir, SetStats *out)
{
	const std::string path = dir + "/stats";
	std::string text;
	int err = readSmallFile(path, &text);
	if (err)
		return fileError(path, err);
	SetStats st;
	if (!keyValue(text, "frames", &st.frames) || !keyValue(text, "bytes", &st.bytes))
		return "stats has no valid frames and bytes";
	*out = st;
	return "";
}

int openSamples(const std::string &dir, int *fd, dev_t *dev, ino_t *ino)
{
	struct stat sb;
	if (int err = openRegular(dir + "/" + kSampleFile, fd, &sb))
		return err;
	*dev = sb.st_dev;
	*ino = sb.st_ino;
	return 0;
}

int readSamples(int fd, std::vector<char> &buf, size_t maxBytes, const std::atomic<bool> &stop,
		StreamParser &parser, std::vector<Record> &out, bool *atEnd)
{
	*atEnd = false;
	for (size_t total = 0; total < maxBytes && !stop.load(std::memory_order_relaxed);) {
		ssize_t n = read(fd, buf.data(), buf.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		parser.feed(buf.data(), n, out);
		total += n;
		// A short read is the end for now: the kernel's `stream` read fills the buffer while
		// it has samples (so does a regular file), and asking again for the 0 would double
		// the syscalls of a round.
		if (static_cast<size_t>(n) < buf.size()) {
			*atEnd = true;
			break;
		}
	}
	return 0;
}

} // namespace pktstat
