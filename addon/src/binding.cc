// JavaScript face of the drain thread: class NativeDrain, wrapped by addon/index.ts.
#include <napi.h>

#include <cstring>
#include <stdexcept>

#include "drain_thread.h"

namespace {

using pktstat::DrainThread;

Napi::BigInt big(Napi::Env env, uint64_t v)
{
	return Napi::BigInt::New(env, v);
}

// Copies one field of every record into a fresh BigUint64Array.
template <uint64_t pktstat::Record::*Field>
Napi::BigUint64Array column(Napi::Env env, const std::vector<pktstat::Record> &recs)
{
	Napi::BigUint64Array arr = Napi::BigUint64Array::New(env, recs.size());
	uint64_t *dst = arr.Data();
	for (size_t i = 0; i < recs.size(); i++)
		dst[i] = recs[i].*Field;
	return arr;
}

// Window numbers as a Float64Array: the parser keeps them below 2^53, exact in a double.
Napi::Float64Array windows(Napi::Env env, const std::vector<pktstat::Record> &recs)
{
	Napi::Float64Array arr = Napi::Float64Array::New(env, recs.size());
	double *dst = arr.Data();
	for (size_t i = 0; i < recs.size(); i++)
		dst[i] = static_cast<double>(recs[i].window);
	return arr;
}

class NativeDrain : public Napi::ObjectWrap<NativeDrain> {
public:
	static Napi::Function Init(Napi::Env env)
	{
		return DefineClass(env, "NativeDrain",
				   { InstanceMethod<&NativeDrain::Start>("start"),
				     InstanceMethod<&NativeDrain::Stop>("stop"),
				     InstanceMethod<&NativeDrain::Take>("take"),
				     InstanceMethod<&NativeDrain::Status>("status"),
				     InstanceMethod<&NativeDrain::Events>("events"),
				     InstanceAccessor<&NativeDrain::Running>("running") });
	}

	// new NativeDrain({ procDir, names, queueCapacity, totalQueueCapacity, rescanMs }), validated
	// by index.ts.
	explicit NativeDrain(const Napi::CallbackInfo &info) : Napi::ObjectWrap<NativeDrain>(info)
	{
		Napi::Object o = info[0].As<Napi::Object>();
		pktstat::Options opts;
		opts.procDir = o.Get("procDir").As<Napi::String>().Utf8Value();
		Napi::Value names = o.Get("names");
		if (names.IsArray()) {
			Napi::Array arr = names.As<Napi::Array>();
			for (uint32_t i = 0; i < arr.Length(); i++)
				opts.names.push_back(arr.Get(i).As<Napi::String>().Utf8Value());
		}
		opts.queueCapacity = static_cast<size_t>(o.Get("queueCapacity").As<Napi::Number>().Int64Value());
		opts.totalQueueCapacity =
			static_cast<size_t>(o.Get("totalQueueCapacity").As<Napi::Number>().Int64Value());
		opts.rescanNs = static_cast<uint64_t>(o.Get("rescanMs").As<Napi::Number>().DoubleValue() * 1e6);
		drain_ = std::make_unique<DrainThread>(std::move(opts));
		// Join the thread before the environment goes, even if this object is never collected.
		napi_add_env_cleanup_hook(info.Env(), StopAtExit, drain_.get());
	}

	~NativeDrain() override
	{
		napi_remove_env_cleanup_hook(Env(), StopAtExit, drain_.get());
	}

private:
	static void StopAtExit(void *drain)
	{
		static_cast<DrainThread *>(drain)->stop();
	}

	Napi::Value Start(const Napi::CallbackInfo &info)
	{
		try {
			drain_->start();
		} catch (const std::runtime_error &e) {
			throw Napi::Error::New(info.Env(), e.what());
		}
		return info.Env().Undefined();
	}

	Napi::Value Stop(const Napi::CallbackInfo &info)
	{
		drain_->stop();
		return info.Env().Undefined();
	}

	Napi::Value Take(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		std::vector<pktstat::Batch> batches = drain_->take();
		Napi::Array out = Napi::Array::New(env, batches.size());
		for (size_t i = 0; i < batches.size(); i++) {
			const std::vector<pktstat::Record> &r = batches[i].records;
			Napi::Object b = Napi::Object::New(env);
			b.Set("name", batches[i].name);
			b.Set("windows", windows(env, r));
			b.Set("frames", column<&pktstat::Record::frames>(env, r));
			b.Set("bytes", column<&pktstat::Record::bytes>(env, r));
			b.Set("lostBefore", column<&pktstat::Record::lostBefore>(env, r));
			out.Set(static_cast<uint32_t>(i), b);
		}
		return out;
	}

	Napi::Value Status(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		std::vector<pktstat::SetStatus> sets = drain_->status();
		Napi::Array out = Napi::Array::New(env, sets.size());
		for (size_t i = 0; i < sets.size(); i++) {
			const pktstat::SetStatus &s = sets[i];
			Napi::Object o = Napi::Object::New(env);
			o.Set("name", s.name);
			o.Set("periodNs", big(env, s.periodNs));
			o.Set("capacity", Napi::Number::New(env, s.capacity));
			o.Set("rules", Napi::Number::New(env, s.rules));
			o.Set("totalFrames", big(env, s.totalFrames));
			o.Set("totalBytes", big(env, s.totalBytes));
			o.Set("kernelLost", big(env, s.kernelLost));
			o.Set("queueDropped", big(env, s.queueDropped));
			o.Set("queueOwedLost", big(env, s.queueOwedLost));
			o.Set("queueLength", Napi::Number::New(env, static_cast<double>(s.queueLength)));
			o.Set("lastReadSamples", Napi::Number::New(env, static_cast<double>(s.lastReadSamples)));
			o.Set("samplesRead", big(env, s.samplesRead));
			o.Set("reads", big(env, s.reads));
			o.Set("lastReadStartNs", big(env, s.lastReadStartNs));
			o.Set("drainIntervalNs", big(env, s.drainIntervalNs));
			o.Set("error", s.error.empty() ? env.Null() : Napi::String::New(env, s.error));
			out.Set(static_cast<uint32_t>(i), o);
		}
		return out;
	}

	Napi::Value Events(const Napi::CallbackInfo &info)
	{
		static const char *const kTypes[] = { "added", "removed", "error" };
		Napi::Env env = info.Env();
		std::vector<pktstat::Event> evs = drain_->events();
		Napi::Array out = Napi::Array::New(env, evs.size());
		for (size_t i = 0; i < evs.size(); i++) {
			const pktstat::Event &e = evs[i];
			Napi::Object o = Napi::Object::New(env);
			o.Set("type", kTypes[e.type]);
			if (e.type == pktstat::Event::Error) {
				o.Set("name", e.name.empty() ? env.Null() : Napi::String::New(env, e.name));
				o.Set("message", e.message);
			} else {
				o.Set("name", e.name);
			}
			out.Set(static_cast<uint32_t>(i), o);
		}
		return out;
	}

	Napi::Value Running(const Napi::CallbackInfo &info)
	{
		return Napi::Boolean::New(info.Env(), drain_->running());
	}

	std::unique_ptr<DrainThread> drain_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports)
{
	exports.Set("NativeDrain", NativeDrain::Init(env));
	return exports;
}

} // namespace

NODE_API_MODULE(pktstat_drain, Init)
