#include "engine.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <set>
#include <stdexcept>
#include <system_error>

namespace pktstat {

namespace {

const size_t kReadChunk = 64 * 1024;
const size_t kMaxEvents = 10000;
// Longest pause between reads of one set: keeps a slow set's samples fresh on screen.
const uint64_t kMaxIntervalNs = 250000000;
// Shortest: below this the thread would burn a core on syscalls for no gain in safety.
const uint64_t kMinIntervalNs = 100000;

uint64_t clockNs(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + ts.tv_nsec;
}

uint64_t drainInterval(uint64_t periodNs, uint32_t capacity)
{
	if (!periodNs || !capacity)
		return kMaxIntervalNs;
	// Four reads per period x capacity: the FIFO is never more than a quarter full between reads.
	uint64_t quarter = periodNs > UINT64_MAX / capacity ? UINT64_MAX : periodNs * capacity / 4;
	return std::max(kMinIntervalNs, std::min(kMaxIntervalNs, quarter));
}

// A counter-set name (SPEC 1); anything else in the proc dir is not a set.
bool isSetName(const std::string &name)
{
	if (name.empty() || name.size() >= XT_PKTSTAT_NAME_LEN || name[0] == '.')
		return false;
	for (char c : name)
		if (!xt_pktstat_name_char_ok(c))
			return false;
	return true;
}

std::string errnoText(int err)
{
	return std::strerror(err);
}

// Reads a small file whole; returns errno or 0.
int readSmallFile(const std::string &path, std::string *out)
{
	struct Closer {
		int fd;
		~Closer()
		{
			if (fd >= 0)
				close(fd); // also when append() throws
		}
	} f{ open(path.c_str(), O_RDONLY | O_CLOEXEC) };
	if (f.fd < 0)
		return errno;
	out->clear();
	char buf[4096];
	// config is a few lines; the bound keeps a strange file from growing the string for ever.
	while (out->size() < (1 << 20)) {
		ssize_t n = read(f.fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			break;
		out->append(buf, n);
	}
	return 0;
}

// Finds `key: value` in config text and parses value as u64.
bool configValue(const std::string &text, const char *key, uint64_t *out)
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

Engine::Engine(Options opts) : opts_(std::move(opts)) {}

Engine::~Engine()
{
	stop();
}

void Engine::start()
{
	if (running_.load())
		return;
	const std::string &dir = opts_.procDir;
	struct stat sb;
	if (stat(dir.c_str(), &sb) < 0) {
		if (errno == ENOENT && dir == XT_PKTSTAT_PROC_DIR)
			throw std::runtime_error(dir + " not found: load the module with 'modprobe xt_pktstat'");
		if (errno == ENOENT)
			throw std::runtime_error(dir + " not found");
		if (errno == EACCES)
			throw std::runtime_error(dir + ": permission denied: run as root");
		throw std::runtime_error(dir + ": " + errnoText(errno));
	}
	if (!S_ISDIR(sb.st_mode))
		throw std::runtime_error(dir + " is not a directory");
	DIR *d = opendir(dir.c_str());
	if (!d) {
		if (errno == EACCES)
			throw std::runtime_error(dir + ": permission denied: run as root");
		throw std::runtime_error(dir + ": " + errnoText(errno));
	}
	closedir(d);

	wakeFd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (wakeFd_ < 0)
		throw std::runtime_error(std::string("cannot create the drain thread's eventfd: ") + errnoText(errno));
	buf_.resize(kReadChunk);
	stopping_.store(false);
	dirError_ = false;
	// The first scan runs here so status() lists the sets as soon as start() returns.
	rescan(clockNs(CLOCK_MONOTONIC));
	try {
		thread_ = std::thread(&Engine::run, this);
	} catch (const std::system_error &e) {
		stopping_.store(true);
		closeAll();
		throw std::runtime_error(std::string("cannot start the drain thread: ") + e.what());
	}
	running_.store(true);
}

void Engine::stop()
{
	if (!running_.load())
		return;
	stopping_.store(true);
	const uint64_t one = 1;
	// Cannot fail short of counter overflow, which a single write cannot cause; wakes the thread.
	ssize_t rc = write(wakeFd_, &one, sizeof(one));
	(void)rc;
	thread_.join();
	closeAll();
	running_.store(false);
}

void Engine::closeAll()
{
	while (!watched_.empty())
		remove(watched_.begin()->first);
	if (wakeFd_ >= 0)
		close(wakeFd_);
	wakeFd_ = -1;
	buf_.clear();
	buf_.shrink_to_fit();
	scratch_.clear();
	scratch_.shrink_to_fit();
}

void Engine::run()
{
	// Visible in top -H and /proc/PID/task/*/comm, where the benchmark finds it.
	pthread_setname_np(pthread_self(), "pktstat-drain");
	uint64_t nextRescan = clockNs(CLOCK_MONOTONIC) + opts_.rescanNs;
	while (!stopping_.load()) {
		uint64_t wait;
		try {
			wait = step(&nextRescan);
		} catch (const std::bad_alloc &) {
			// Say so if that is still possible, and retry later instead of spinning.
			try {
				pushEvent(Event::Error, "", "drain thread: out of memory");
			} catch (const std::bad_alloc &) {
			}
			wait = opts_.rescanNs;
		}
		if (!wait)
			continue;
		struct timespec ts = { static_cast<time_t>(wait / 1000000000u),
				       static_cast<long>(wait % 1000000000u) };
		struct pollfd pfd = { wakeFd_, POLLIN, 0 };
		ppoll(&pfd, 1, &ts, nullptr);
	}
}

uint64_t Engine::step(uint64_t *nextRescan)
{
	uint64_t now = clockNs(CLOCK_MONOTONIC);
	if (now >= *nextRescan) {
		rescan(now);
		*nextRescan = now + opts_.rescanNs;
	}
	// drain() may remove the set it reads; the other pointers stay valid.
	std::vector<Watched *> due;
	for (auto &kv : watched_)
		if (kv.second->dueNs <= now)
			due.push_back(kv.second.get());
	for (Watched *w : due) {
		if (stopping_.load())
			return 0;
		const std::string name = w->name;
		drain(*w);
		auto it = watched_.find(name);
		if (it == watched_.end())
			continue;
		Watched &left = *it->second;
		left.dueNs += left.intervalNs;
		if (left.dueNs <= now)
			left.dueNs = now + left.intervalNs; // fell behind: do not try to catch up in a burst
	}
	uint64_t wake = *nextRescan;
	for (auto &kv : watched_)
		wake = std::min(wake, kv.second->dueNs);
	now = clockNs(CLOCK_MONOTONIC);
	return wake > now ? wake - now : 0;
}

std::vector<std::string> Engine::listSets()
{
	std::vector<std::string> names;
	DIR *d = opendir(opts_.procDir.c_str());
	if (!d) {
		if (!dirError_)
			pushEvent(Event::Error, "", opts_.procDir + ": " + errnoText(errno));
		dirError_ = true;
		return names;
	}
	dirError_ = false;
	std::set<std::string> wanted(opts_.names.begin(), opts_.names.end());
	while (struct dirent *e = readdir(d)) {
		std::string name = e->d_name;
		if (!isSetName(name))
			continue;
		if (!wanted.empty() && !wanted.count(name))
			continue;
		if (e->d_type == DT_DIR) {
			names.push_back(name);
		} else if (e->d_type == DT_UNKNOWN) {
			struct stat sb;
			if (stat((opts_.procDir + "/" + name).c_str(), &sb) == 0 && S_ISDIR(sb.st_mode))
				names.push_back(name);
		}
	}
	closedir(d);
	return names;
}

void Engine::rescan(uint64_t now)
{
	std::vector<std::string> names = listSets();
	std::set<std::string> present(names.begin(), names.end());
	std::vector<std::string> gone;
	for (auto &kv : watched_)
		if (!present.count(kv.first))
			gone.push_back(kv.first);
	for (const std::string &name : gone)
		remove(name);
	for (const std::string &name : names) {
		auto it = watched_.find(name);
		if (it == watched_.end()) {
			add(name, now);
			continue;
		}
		Watched &w = *it->second;
		struct stat sb;
		// Same name, new directory: the old set went and a new one took its name.
		if (w.fd >= 0 && stat((w.dir + "/data").c_str(), &sb) == 0 &&
		    (sb.st_dev != w.dev || sb.st_ino != w.ino)) {
			remove(name);
			add(name, now);
			continue;
		}
		refresh(w, now);
	}
}

void Engine::add(const std::string &name, uint64_t now)
{
	auto w = std::make_unique<Watched>();
	w->name = name;
	w->dir = opts_.procDir + "/" + name;
	w->intervalNs = kMaxIntervalNs;
	w->dueNs = now;
	{
		std::lock_guard<std::mutex> lock(mu_);
		Shared &s = shared_[name];
		s.st.name = name;
		s.st.drainIntervalNs = w->intervalNs;
	}
	pushEvent(Event::Added, name, "");
	Watched &ref = *w;
	watched_[name] = std::move(w);
	refresh(ref, now);
}

void Engine::remove(std::string name)
{
	auto it = watched_.find(name);
	if (it == watched_.end())
		return;
	if (it->second->fd >= 0)
		close(it->second->fd);
	watched_.erase(it);
	{
		std::lock_guard<std::mutex> lock(mu_);
		auto s = shared_.find(name);
		if (s != shared_.end()) {
			if (!s->second.ring.empty())
				retired_.push_back(Batch{ name, std::move(s->second.ring) });
			shared_.erase(s);
		}
	}
	// Stopping the engine is not the set going away.
	if (!stopping_.load())
		pushEvent(Event::Removed, name, "");
}

// Re-reads config and (re)opens data; errors land in the set's status.
void Engine::refresh(Watched &w, uint64_t now)
{
	std::string text;
	int err = readSmallFile(w.dir + "/config", &text);
	uint64_t period = 0, capacity = 0;
	std::string problem;
	if (err == EACCES)
		problem = "cannot read config: permission denied: run as root";
	else if (err)
		problem = "cannot read config: " + errnoText(err);
	else if (!configValue(text, "period_ns", &period) || period == 0)
		problem = "config has no valid period_ns";
	else if (!configValue(text, "capacity", &capacity) || capacity == 0 || capacity > UINT32_MAX)
		problem = "config has no valid capacity";
	w.configOk = problem.empty();
	if (w.configOk && (period != w.periodNs || capacity != w.capacity)) {
		w.periodNs = period;
		w.capacity = static_cast<uint32_t>(capacity);
		const uint64_t interval = drainInterval(w.periodNs, w.capacity);
		// A shorter interval takes effect now, not after the old, longer wait.
		if (interval < w.intervalNs)
			w.dueNs = std::min(w.dueNs, now + interval);
		w.intervalNs = interval;
		std::lock_guard<std::mutex> lock(mu_);
		SetStatus &st = shared_[w.name].st;
		st.periodNs = w.periodNs;
		st.capacity = w.capacity;
		st.drainIntervalNs = w.intervalNs;
	}
	if (w.fd < 0) {
		const std::string path = w.dir + "/data";
		int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
		struct stat sb;
		if (fd >= 0 && fstat(fd, &sb) == 0) {
			w.fd = fd;
			w.dev = sb.st_dev;
			w.ino = sb.st_ino;
		} else {
			err = errno;
			if (fd >= 0)
				close(fd);
			if (problem.empty())
				problem = err == EACCES ? "cannot open data: permission denied: run as root"
						       : "cannot open data: " + errnoText(err);
		}
	}
	if (!problem.empty())
		setError(w, problem);
}

void Engine::drain(Watched &w)
{
	if (w.fd < 0)
		return;
	const uint64_t startNs = clockNs(CLOCK_REALTIME);
	scratch_.clear();
	w.parser.beginRound();
	off_t off = 0;
	int err = 0;
	for (;;) {
		ssize_t n = pread(w.fd, buf_.data(), buf_.size(), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break;
		w.parser.feed(buf_.data(), n, scratch_);
		off += n;
	}
	w.parser.endRound();
	if (err) {
		struct stat sb;
		if (stat(w.dir.c_str(), &sb) < 0 && errno == ENOENT)
			remove(w.name);
		else
			setError(w, "cannot read data: " + errnoText(err));
		return;
	}
	{
		std::lock_guard<std::mutex> lock(mu_);
		Shared &s = shared_[w.name];
		s.st.reads++;
		s.st.lastReadStartNs = startNs;
		s.st.samplesRead += scratch_.size();
		s.st.kernelLost = satAdd(s.st.kernelLost, w.parser.roundKernelLost());
		for (Record r : scratch_) {
			if (s.ring.size() >= opts_.ringCapacity) {
				// Keep what is queued; the consumer sees one lost stretch instead.
				s.owedLost = satAdd(s.owedLost, satAdd(1, r.lostBefore));
				s.st.ringDropped++;
				continue;
			}
			r.lostBefore = satAdd(r.lostBefore, s.owedLost);
			s.owedLost = 0;
			s.ring.push_back(r);
		}
	}
	if (!w.parser.roundError().empty())
		setError(w, "data: " + w.parser.roundError());
	else if (w.configOk)
		setError(w, "");
}

void Engine::setError(Watched &w, const std::string &msg)
{
	if (msg == w.error)
		return;
	w.error = msg;
	{
		std::lock_guard<std::mutex> lock(mu_);
		shared_[w.name].st.error = msg.empty() ? msg : "set " + w.name + ": " + msg;
	}
	if (!msg.empty())
		pushEvent(Event::Error, w.name, "set " + w.name + ": " + msg);
}

void Engine::pushEvent(Event::Type type, const std::string &name, const std::string &msg)
{
	std::lock_guard<std::mutex> lock(mu_);
	// Bounded for a consumer that never calls events(); it learns how many it missed.
	if (events_.size() >= kMaxEvents) {
		eventsDropped_++;
		return;
	}
	events_.push_back(Event{ type, name, msg });
}

std::vector<Batch> Engine::take()
{
	std::lock_guard<std::mutex> lock(mu_);
	std::vector<Batch> out;
	for (auto &kv : shared_) {
		if (kv.second.ring.empty())
			continue;
		out.push_back(Batch{ kv.first, std::move(kv.second.ring) });
		kv.second.ring.clear();
	}
	for (Batch &b : retired_)
		out.push_back(std::move(b));
	retired_.clear();
	return out;
}

std::vector<SetStatus> Engine::status()
{
	std::lock_guard<std::mutex> lock(mu_);
	std::vector<SetStatus> out;
	out.reserve(shared_.size());
	for (auto &kv : shared_) {
		out.push_back(kv.second.st);
		out.back().ringQueued = kv.second.ring.size();
	}
	return out;
}

std::vector<Event> Engine::events()
{
	std::lock_guard<std::mutex> lock(mu_);
	std::vector<Event> out;
	out.swap(events_);
	if (eventsDropped_) {
		out.push_back(Event{ Event::Error, "",
				     std::to_string(eventsDropped_) + " later events dropped: events() was not called in time" });
		eventsDropped_ = 0;
	}
	return out;
}

} // namespace pktstat
