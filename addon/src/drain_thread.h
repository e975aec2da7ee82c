// The drain thread: watches counter sets under a proc dir and queues their samples; the
// proc files themselves are read through proc_files.h.
#ifndef PKTSTAT_DRAIN_THREAD_H
#define PKTSTAT_DRAIN_THREAD_H

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "parser.h"
#include "proc_files.h"
#include "../../kernel/xt_pktstat.h"

namespace pktstat {

struct Options {
	std::string procDir = XT_PKTSTAT_PROC_DIR;
	std::vector<std::string> names; // empty: every set
	size_t queueCapacity = 1 << 20; // per set
	size_t totalQueueCapacity = 4 << 20; // every set's queue and retired_ together
	uint64_t rescanNs = 500000000;
};

struct SetStatus {
	std::string name;
	uint64_t periodNs = 0;
	uint32_t capacity = 0;
	uint32_t rules = 0;
	// Running totals: `stats` as read when the set was (re)opened, then the cumulative counters
	// of the newest sample read whenever they are as new or newer (see addon/types.ts).
	uint64_t totalFrames = 0;
	uint64_t totalBytes = 0;
	uint64_t kernelLost = 0;
	uint64_t queueDropped = 0;
	uint64_t queueOwedLost = 0;
	size_t queueLength = 0;
	uint64_t lastReadSamples = 0;
	uint64_t samplesRead = 0;
	uint64_t reads = 0;
	uint64_t lastReadStartNs = 0;
	uint64_t drainIntervalNs = 0;
	std::string error; // empty: none
};

struct Batch {
	std::string name;
	std::vector<Record> records;
};

struct Event {
	enum Type { Added, Removed, Error } type;
	std::string name; // empty for errors that concern no set
	std::string message;
};

class DrainThread {
public:
	explicit DrainThread(Options opts);
	~DrainThread();
	DrainThread(const DrainThread &) = delete;
	DrainThread &operator=(const DrainThread &) = delete;

	// Throws std::runtime_error with a one-line message.
	void start();
	void stop();
	bool running() const { return running_.load(); }
	std::vector<Batch> take();
	std::vector<SetStatus> status();
	std::vector<Event> events();

private:
	// State of one set that take()/status() see; guarded by mu_.
	struct Shared {
		SetStatus st;
		std::vector<Record> queue;
		// Samples discarded since the last one queued, owed to the next one's lostBefore.
		uint64_t owedLost = 0;
	};
	// State only the drain thread touches (and start/stop while it is not running).
	struct Watched {
		std::string name;
		std::string dir;
		int fd = -1;
		int openErr = 0; // errno of the latest failed open of the sample file
		bool statsRead = false; // `stats` read since the sample file was (re)opened
		dev_t dev = 0;
		ino_t ino = 0;
		bool configOk = false;
		SetConfig config;
		uint64_t intervalNs = 0;
		uint64_t dueNs = 0; // CLOCK_MONOTONIC
		StreamParser parser;
		// A round (reading `stream` up to its end) may take several turns, kRoundBytes each.
		bool inRound = false;
		uint64_t roundStartNs = 0; // CLOCK_REALTIME before its first read
		uint64_t roundSamples = 0;
		std::string error; // as last published
	};

	void run();
	// One pass: rescan and drain what is due. Returns how long to sleep, in ns.
	uint64_t step(uint64_t *nextRescan);
	void rescan(uint64_t now);
	std::vector<std::string> listWanted();
	void add(const std::string &name, uint64_t now);
	void remove(std::string name); // by value: callers pass keys of what it erases
	void refresh(Watched &w, uint64_t now);
	// One turn of reading the set; true when its round has more to read.
	bool drain(Watched &w);
	void readStatsOf(Watched &w, std::string *problem);
	void totalsFromSample(SetStatus &st, const Record &newest);
	void setError(Watched &w, const std::string &msg);
	void pushEvent(Event::Type type, const std::string &name, const std::string &msg);
	void closeAll();

	const Options opts_;
	std::atomic<bool> running_{false};
	std::atomic<bool> stopping_{false};
	std::thread thread_;
	int wakeFd_ = -1;

	std::mutex mu_;
	std::map<std::string, Shared> shared_;
	std::vector<Batch> retired_; // undelivered samples of sets no longer watched
	size_t queuedTotal_ = 0; // samples in every queue and in retired_
	std::vector<Event> events_;
	uint64_t eventsDropped_ = 0;

	std::map<std::string, std::unique_ptr<Watched>> watched_;
	bool dirError_ = false; // procDir unreadable at the last rescan
	std::vector<char> buf_;
	std::vector<Record> scratch_;
};

} // namespace pktstat

#endif
