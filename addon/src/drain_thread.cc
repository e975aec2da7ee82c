#include "drain_thread.h"

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
// A set's turn reads at most this much before the other sets get theirs: a huge or endless
// file costs a bounded piece of memory (the samples of 4 MiB) and never holds up the thread.
// The kernel's largest FIFO is about 60 MiB of text; a round that long continues in later turns.
const size_t kRoundBytes = 4 * 1024 * 1024;
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
	// Four reads per period x capacity: this reader is never more than a quarter of the set's
	// FIFO behind between reads, far from being lapped.
	uint64_t quarter = periodNs > UINT64_MAX / capacity ? UINT64_MAX : periodNs * capacity / 4;
	return std::max(kMinIntervalNs, std::min(kMaxIntervalNs, quarter));
}

} // namespace

DrainThread::DrainThread(Options opts) : opts_(std::move(opts)) {}

DrainThread::~DrainThread()
{
	stop();
}

void DrainThread::start()
{
	if (running_.load())
		return;
	checkProcDir(opts_.procDir, opts_.names);

	wakeFd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (wakeFd_ < 0)
		throw std::runtime_error(std::string("cannot create the drain thread's eventfd: ") + std::strerror(errno));
	buf_.resize(kReadChunk);
	stopping_.store(false);
	dirError_ = false;
	// The first scan runs here so status() lists the sets as soon as start() returns.
	rescan(clockNs(CLOCK_MONOTONIC));
	// A set this process may not read is said once, here, rather than as a set that stays empty.
	for (auto &kv : watched_) {
		if (kv.second->openErr == EACCES || kv.second->openErr == EPERM) {
			const std::string msg = fileError(kv.second->dir + "/" + kSampleFile, kv.second->openErr);
			stopping_.store(true);
			closeAll();
			throw std::runtime_error(msg);
		}
	}
	try {
		thread_ = std::thread(&DrainThread::run, this);
	} catch (const std::system_error &e) {
		stopping_.store(true);
		closeAll();
		throw std::runtime_error(std::string("cannot start the drain thread: ") + e.what());
	}
	running_.store(true);
}

void DrainThread::stop()
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

void DrainThread::closeAll()
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

void DrainThread::run()
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

uint64_t DrainThread::step(uint64_t *nextRescan)
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
		const bool more = drain(*w);
		auto it = watched_.find(name);
		if (it == watched_.end())
			continue;
		Watched &left = *it->second;
		if (more) {
			left.dueNs = now; // the rest of the round in the next turn, after the other sets'
			continue;
		}
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

std::vector<std::string> DrainThread::listWanted()
{
	std::vector<std::string> names;
	int err = listSets(opts_.procDir, opts_.names, &names);
	if (err && !dirError_)
		pushEvent(Event::Error, "", opts_.procDir + ": " + std::strerror(err));
	dirError_ = err != 0;
	return names;
}

void DrainThread::rescan(uint64_t now)
{
	std::vector<std::string> names = listWanted();
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
		if (w.fd >= 0 && stat((w.dir + "/" + kSampleFile).c_str(), &sb) == 0 &&
		    (sb.st_dev != w.dev || sb.st_ino != w.ino)) {
			remove(name);
			add(name, now);
			continue;
		}
		refresh(w, now);
	}
}

void DrainThread::add(const std::string &name, uint64_t now)
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

void DrainThread::remove(std::string name)
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
			if (!s->second.queue.empty())
				retired_.push_back(Batch{ name, std::move(s->second.queue) });
			shared_.erase(s);
		}
	}
	// Stopping the thread is not the set going away.
	if (!stopping_.load())
		pushEvent(Event::Removed, name, "");
}

// Re-reads config, opens the sample file unless it is open, and reads stats when the set was
// just (re)opened or its last read of stats failed; errors land in the set's status.
void DrainThread::refresh(Watched &w, uint64_t now)
{
	SetConfig config;
	std::string problem = readConfig(w.dir, &config);
	w.configOk = problem.empty();
	if (w.configOk && (config.periodNs != w.config.periodNs || config.capacity != w.config.capacity ||
			   config.rules != w.config.rules)) {
		w.config = config;
		w.parser.setPeriod(config.periodNs);
		const uint64_t interval = drainInterval(config.periodNs, config.capacity);
		// A shorter interval takes effect now, not after the old, longer wait.
		if (interval < w.intervalNs)
			w.dueNs = std::min(w.dueNs, now + interval);
		w.intervalNs = interval;
		std::lock_guard<std::mutex> lock(mu_);
		SetStatus &st = shared_[w.name].st;
		st.periodNs = config.periodNs;
		st.capacity = config.capacity;
		st.rules = config.rules;
		st.drainIntervalNs = w.intervalNs;
	}
	if (w.fd < 0) {
		w.openErr = openSamples(w.dir, &w.fd, &w.dev, &w.ino);
		if (w.openErr && problem.empty())
			problem = fileError(w.dir + "/" + kSampleFile, w.openErr);
		if (!w.openErr)
			w.statsRead = false;
	}
	// Only here: the samples carry the totals from now on (drain()), and each read of
	// `stats` would cost syscalls and a close of the set's windows.
	if (!w.statsRead)
		readStatsOf(w, &problem);
	if (!problem.empty())
		setError(w, problem);
}

// Reads `stats` into the set's status; a problem goes into *problem unless one is there.
void DrainThread::readStatsOf(Watched &w, std::string *problem)
{
	SetStats stats;
	std::string err = readStats(w.dir, &stats);
	if (!err.empty()) {
		if (problem->empty())
			*problem = err;
		return;
	}
	w.statsRead = true;
	std::lock_guard<std::mutex> lock(mu_);
	SetStatus &st = shared_[w.name].st;
	// Samples read before (a retry after an error) may be older or newer than `stats`; the
	// totals keep the newer, as they do for samples read after.
	if (stats.frames > st.totalFrames) {
		st.totalFrames = stats.frames;
		st.totalBytes = stats.bytes;
	}
}

// Called with mu_ held. The counters only grow, so more frames means newer; equal frames are the
// same instant of the count. The samples a new reader gets first are older than the `stats`
// read at open: those leave the totals alone.
void DrainThread::totalsFromSample(SetStatus &st, const Record &newest)
{
	if (newest.frames < st.totalFrames)
		return;
	st.totalFrames = newest.frames;
	st.totalBytes = newest.bytes;
}

bool DrainThread::drain(Watched &w)
{
	// Until config gives the period that numbers the windows, samples wait in the kernel.
	if (w.fd < 0 || !w.parser.period())
		return false;
	if (!w.inRound) {
		w.inRound = true;
		w.roundStartNs = clockNs(CLOCK_REALTIME);
		w.roundSamples = 0;
		w.parser.beginRound();
	}
	scratch_.clear();
	bool atEnd;
	int err = readSamples(w.fd, buf_, kRoundBytes, stopping_, w.parser, scratch_, &atEnd);
	w.roundSamples += scratch_.size();
	const bool roundDone = !err && atEnd;
	if (err || atEnd)
		w.inRound = false;
	// Samples read are taken from this reader's position: they are queued even when the
	// round ends in an error. Only a round that reached the end has delivered every window
	// that ended before it began: the kernel's `stream` read closes ended windows itself.
	{
		std::lock_guard<std::mutex> lock(mu_);
		Shared &s = shared_[w.name];
		if (roundDone) {
			s.st.reads++;
			s.st.lastReadStartNs = w.roundStartNs;
			s.st.lastReadSamples = w.roundSamples;
		}
		if (!scratch_.empty())
			totalsFromSample(s.st, scratch_.back());
		s.st.samplesRead += scratch_.size();
		s.st.kernelLost = satAdd(s.st.kernelLost, w.parser.takeKernelLost());
		for (Record r : scratch_) {
			if (s.queue.size() >= opts_.queueCapacity || queuedTotal_ >= opts_.totalQueueCapacity) {
				// Keep what is queued; the consumer sees one lost stretch instead.
				s.owedLost = satAdd(s.owedLost, satAdd(1, r.lostBefore));
				s.st.queueDropped++;
				continue;
			}
			r.lostBefore = satAdd(r.lostBefore, s.owedLost);
			s.owedLost = 0;
			s.queue.push_back(r);
			queuedTotal_++;
		}
	}
	if (err) {
		struct stat sb;
		if (stat(w.dir.c_str(), &sb) < 0 && errno == ENOENT)
			remove(w.name);
		else
			setError(w, fileError(w.dir + "/" + kSampleFile, err));
		return false;
	}
	// A malformed line is said at once; only a whole clean round clears it.
	if (!w.parser.roundError().empty())
		setError(w, std::string(kSampleFile) + ": " + w.parser.roundError());
	else if (roundDone && w.configOk && w.statsRead)
		setError(w, "");
	return !atEnd;
}

void DrainThread::setError(Watched &w, const std::string &msg)
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

void DrainThread::pushEvent(Event::Type type, const std::string &name, const std::string &msg)
{
	std::lock_guard<std::mutex> lock(mu_);
	// Bounded for a consumer that never calls events(); it learns how many it missed.
	if (events_.size() >= kMaxEvents) {
		eventsDropped_++;
		return;
	}
	events_.push_back(Event{ type, name, msg });
}

std::vector<Batch> DrainThread::take()
{
	std::lock_guard<std::mutex> lock(mu_);
	std::vector<Batch> out;
	for (auto &kv : shared_) {
		if (kv.second.queue.empty())
			continue;
		out.push_back(Batch{ kv.first, std::move(kv.second.queue) });
		kv.second.queue.clear();
	}
	for (Batch &b : retired_)
		out.push_back(std::move(b));
	retired_.clear();
	queuedTotal_ = 0;
	return out;
}

std::vector<SetStatus> DrainThread::status()
{
	std::lock_guard<std::mutex> lock(mu_);
	std::vector<SetStatus> out;
	out.reserve(shared_.size());
	for (auto &kv : shared_) {
		out.push_back(kv.second.st);
		out.back().queueLength = kv.second.queue.size();
		out.back().queueOwedLost = kv.second.owedLost;
	}
	return out;
}

std::vector<Event> DrainThread::events()
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
