// SPDX-License-Identifier: GPL-2.0
/*
 * xt_pktstat: count frames and bytes per time window of a fixed period, and keep
 * one sample per window with traffic in a ring read through /proc/net/xt_pktstat/.
 *
 * Design (window logic in pktstat_core.c, shared with the userspace test, whose
 * header comment says why it is exact): every CPU adds its packets to its own
 * cumulative counters without a lock or an atomic read-modify-write, as
 * nft_counter does, and compares a cheap clock with its window's end. A packet
 * past its CPU's window, a read, a poll or a stats read "closes" the set under
 * the set lock: the counts of every CPU whose window ended are read (seqcount)
 * and emitted, without that CPU's help, and the floor (first window not yet
 * emitted) rises. Counts that arrive for an emitted window go to the floor
 * window, so totals are exact and timestamps strictly increase, even when the
 * clock steps back. The match disables BHs only when they are not already off.
 *
 * Readers (as /dev/kmsg serves its readers): the ring holds the set's most
 * recent --samples samples, numbered as they are pushed; a push overwrites the
 * oldest and never looks at readers. Each open "stream" file has its own
 * position in the ring (the number of its next sample), starting at the
 * oldest sample held; "data" is one more position, in the set, shared by all its readers,
 * so they consume samples from one another as the 2011 FIFO did. A position
 * the ring lapped notices when it next pops: its next sample comes after
 * "# lost K". A reader holds a fixed-size buffer of text it took but has not
 * read yet, never a copy of the ring.
 *
 * Frames are counted as the wire carries them: a GSO/GRO super-packet is its
 * segments (pktstat_gso_segs()), each with its own headers.
 *
 * "stats": frames, bytes (running totals), skbs and skb_bytes (the same as
 * netfilter handles them), samples (pushed), lost and queued
 * (data's position: samples it missed, samples it has not taken yet), held
 * (samples the ring holds now) and readers (open "stream" files).
 *
 * Every allocation a set makes is charged to the memory cgroup of the process
 * that causes it (the rule's or the reader's), as x_tables charges its tables.
 *
 * Sets are per network namespace, named, and shared by every rule using the name;
 * checkentry of a new table runs before destroy of the old one, so a table
 * replacement keeps a set (and its ring) alive.
 *
 * Pollers: each set has its own wait queue, so a packet wakes only its set's
 * pollers. The queue outlives the set's files: proc_remove() releases open
 * files, but a poll() or select() caller stays on the queue until its syscall
 * returns, which may be long after (a caller that asked only for events the
 * removed file never reports sleeps until its timeout). A removed set wakes
 * epoll with POLLFREE, which detaches it at once, and waits in pktstat_gone
 * until its queue is empty; module exit waits for every such set.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/delay.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/refcount.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/netfilter/x_tables.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "xt_pktstat.h"
#include "pktstat_core.h"
#include "compat.h"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Xtables: frames and bytes per sub-millisecond time window");
MODULE_VERSION(PKTSTAT_VERSION);	/* package.json's, from kernel/Makefile */
/* iptables autoloads "ipt_NAME"/"ip6t_NAME" for legacy tables */
MODULE_ALIAS("ipt_pktstat");
MODULE_ALIAS("ip6t_pktstat");

#define PKTSTAT_TEXT_SIZE	2048
#define PKTSTAT_POP_MAX		(PKTSTAT_TEXT_SIZE / PKTSTAT_SAMPLE_TEXT_MAX)

struct pktstat_set {
	struct list_head list;		/* in pktstat_net.sets, then in pktstat_gone */
	struct pktstat_core core;
	wait_queue_head_t wq;		/* pollers of its data and stream files */
	struct rcu_head rcu;		/* epoll may touch wq until a grace period after POLLFREE */
	struct proc_dir_entry *pde;	/* NULL once the namespace's proc tree is gone */
	atomic_t stream_readers;	/* open "stream" files, for stats */
	refcount_t rules;		/* rules using the set; changed under pktstat_net.mutex */
	char name[XT_PKTSTAT_NAME_LEN];
};

struct pktstat_net {
	struct mutex mutex;		/* sets, rules counts, proc entries */
	struct list_head sets;
	struct proc_dir_entry *dir;
};

/* An open data or stream file: its position and the text it took but has not read yet. */
struct pktstat_reader {
	struct mutex mutex;		/* one read of this file at a time */
	struct pktstat_set *set;
	struct pktstat_pos *pos;	/* &own for stream, the set's shared one for data */
	struct pktstat_pos own;		/* under set->core.lock */
	size_t hdr;			/* header bytes read since offset 0 */
	size_t off, len;		/* unread text is text[off..len) */
	struct pktstat_sample pop[PKTSTAT_POP_MAX];
	char text[PKTSTAT_TEXT_SIZE];
};

static unsigned int pktstat_net_id __read_mostly;

/* Removed sets whose wait queue may still hold a poll() or select() caller. */
static LIST_HEAD(pktstat_gone);
static DEFINE_MUTEX(pktstat_gone_mutex);

static void pktstat_wake(struct pktstat_set *set)
{
	if (wq_has_sleeper(&set->wq))
		wake_up_interruptible_poll(&set->wq, EPOLLIN | EPOLLRDNORM);
}

/* Close ended windows from process context; caller holds c->lock with BHs off. */
static unsigned int pktstat_close_now(struct pktstat_core *c)
{
	return pktstat_close(c, pktstat_clock(c));
}

static bool pktstat_refill(struct pktstat_reader *r)
{
	struct pktstat_core *c = &r->set->core;
	unsigned int n, i, pushed;

	spin_lock_bh(&c->lock);
	pushed = pktstat_close_now(c);
	n = pktstat_pop(c, r->pos, r->pop, PKTSTAT_POP_MAX);
	spin_unlock_bh(&c->lock);
	if (pushed)
		pktstat_wake(r->set);
	r->off = 0;
	r->len = 0;
	for (i = 0; i < n; i++)
		r->len += pktstat_format(r->text + r->len, sizeof(r->text) - r->len, &r->pop[i]);
	return n != 0;
}

/*
 * Not seq_file: seq_file may call show() again for a position after its buffer
 * filled, and popping in show() would then lose samples. Samples are popped only
 * as text that fits in the reader's own buffer and stay there until read. A read
 * at offset 0 starts with the header; any other read continues at the reader's
 * position, so a read after end-of-file returns what arrived since.
 */
static ssize_t pktstat_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	struct pktstat_reader *r = file->private_data;
	const size_t hdr_len = sizeof(PKTSTAT_HEADER) - 1;
	ssize_t done = 0;

	if (mutex_lock_interruptible(&r->mutex))
		return -ERESTARTSYS;
	if (*ppos == 0)
		r->hdr = 0;
	while ((size_t)done < count) {
		bool header = r->hdr < hdr_len;
		const char *src;
		size_t n;

		if (header) {
			src = PKTSTAT_HEADER + r->hdr;
			n = hdr_len - r->hdr;
		} else {
			/* a 1M-sample ring is seconds of formatting: let others run */
			if (r->off == r->len) {
				cond_resched();
				if (!pktstat_refill(r))
					break;
			}
			src = r->text + r->off;
			n = r->len - r->off;
		}
		n = min(n, count - done);
		if (copy_to_user(buf + done, src, n)) {
			if (!done)
				done = -EFAULT;
			break;
		}
		if (header)
			r->hdr += n;
		else
			r->off += n;
		done += n;
	}
	if (done > 0)
		*ppos += done;
	mutex_unlock(&r->mutex);
	return done;
}

/* Readable when a sample past the file's position exists, or text it took is unread. */
static __poll_t pktstat_poll(struct file *file, poll_table *wait)
{
	struct pktstat_reader *r = file->private_data;
	struct pktstat_core *c = &r->set->core;
	unsigned int pushed;
	bool waiting;

	poll_wait(file, &r->set->wq, wait);
	spin_lock_bh(&c->lock);
	pushed = pktstat_close_now(c);
	waiting = r->pos->next < c->samples;
	spin_unlock_bh(&c->lock);
	if (pushed)
		pktstat_wake(r->set);
	if (waiting || READ_ONCE(r->off) < READ_ONCE(r->len))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/* Reader state is charged to the opener's memory cgroup: a fixed size, whatever the ring's. */
static struct pktstat_reader *pktstat_reader_new(struct inode *inode, struct file *file)
{
	struct pktstat_reader *r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);

	if (!r)
		return NULL;
	mutex_init(&r->mutex);
	r->set = pde_data(inode);
	file->private_data = r;
	return r;
}

static int pktstat_data_open(struct inode *inode, struct file *file)
{
	struct pktstat_reader *r = pktstat_reader_new(inode, file);

	if (!r)
		return -ENOMEM;
	r->pos = &r->set->core.data;
	return 0;
}

/* A new stream reader starts at the oldest sample the ring holds. */
static int pktstat_stream_open(struct inode *inode, struct file *file)
{
	struct pktstat_reader *r = pktstat_reader_new(inode, file);
	struct pktstat_core *c;

	if (!r)
		return -ENOMEM;
	c = &r->set->core;
	r->pos = &r->own;
	spin_lock_bh(&c->lock);
	pktstat_pos_init(c, r->pos);
	spin_unlock_bh(&c->lock);
	atomic_inc(&r->set->stream_readers);
	return 0;
}

/* Also run by proc_remove() for files still open when their set goes away. */
static int pktstat_release(struct inode *inode, struct file *file)
{
	struct pktstat_reader *r = file->private_data;

	if (r->pos == &r->own)
		atomic_dec(&r->set->stream_readers);
	mutex_destroy(&r->mutex);
	kfree(r);
	return 0;
}

/* Two tables that differ in proc_open only: it is the one hook that tells data from stream. */
static const struct proc_ops pktstat_data_ops = {
	.proc_open	= pktstat_data_open,
	.proc_read	= pktstat_read,
	.proc_poll	= pktstat_poll,
	.proc_lseek	= default_llseek,
	.proc_release	= pktstat_release,
};

static const struct proc_ops pktstat_stream_ops = {
	.proc_open	= pktstat_stream_open,
	.proc_read	= pktstat_read,
	.proc_poll	= pktstat_poll,
	.proc_lseek	= default_llseek,
	.proc_release	= pktstat_release,
};

static int pktstat_config_show(struct seq_file *m, void *v)
{
	struct pktstat_set *set = m->private;

	seq_printf(m, "name: %s\nperiod_ns: %llu\ncapacity: %u\nrules: %u\n",
		   set->name, set->core.period, set->core.capacity, refcount_read(&set->rules));
	return 0;
}

static int pktstat_stats_show(struct seq_file *m, void *v)
{
	struct pktstat_set *set = m->private;
	struct pktstat_core *c = &set->core;
	struct pktstat_totals t;
	u64 samples, lost, queued, held;
	unsigned int pushed;

	spin_lock_bh(&c->lock);
	pushed = pktstat_close_now(c);
	pktstat_totals(c, &t);
	samples = c->samples;
	pktstat_pos_stats(c, &c->data, &lost, &queued);
	held = pktstat_held(c);
	spin_unlock_bh(&c->lock);
	if (pushed)
		pktstat_wake(set);
	/* skbs and skb_bytes: as netfilter handles them, what iptables' rule counters add */
	seq_printf(m, "frames: %llu\nbytes: %llu\nskbs: %llu\nskb_bytes: %llu\n",
		   t.frames, t.bytes, t.frames - t.seg_frames, t.bytes - t.seg_bytes);
	seq_printf(m, "samples: %llu\nlost: %llu\nqueued: %llu\n", samples, lost, queued);
	seq_printf(m, "held: %llu\nreaders: %d\n", held, atomic_read(&set->stream_readers));
	return 0;
}

/* What the set counts with; the set itself stays for its wait queue. */
static void pktstat_set_free_core(struct pktstat_set *set)
{
	free_percpu(set->core.pcpu);
	kvfree(set->core.taken);
	kvfree(set->core.harvest);
	kvfree(set->core.ring);
}

/*
 * Free the removed sets that no poll() or select() caller can reach any more
 * (epoll left on POLLFREE; kfree_rcu covers an epoll removal already under
 * way). Returns how many are left.
 */
static unsigned int pktstat_reap(void)
{
	struct pktstat_set *set, *next;
	unsigned int left = 0;
	bool idle;

	mutex_lock(&pktstat_gone_mutex);
	list_for_each_entry_safe(set, next, &pktstat_gone, list) {
		spin_lock_irq(&set->wq.lock);
		idle = list_empty(&set->wq.head);
		spin_unlock_irq(&set->wq.lock);
		if (idle) {
			list_del(&set->list);
			kfree_rcu(set, rcu);
		} else {
			left++;
		}
	}
	mutex_unlock(&pktstat_gone_mutex);
	return left;
}

/*
 * A set whose files are removed (no file operation runs or starts any more):
 * free its buffers, detach epoll and leave the set to pktstat_reap(). Not
 * wake_up_pollfree(): it warns when a poll() or select() caller is still
 * queued, and here one may be, legitimately, until its syscall returns.
 */
static void pktstat_set_retire(struct pktstat_set *set)
{
	pktstat_set_free_core(set);
	wake_up_poll(&set->wq, EPOLLHUP | POLLFREE);
	mutex_lock(&pktstat_gone_mutex);
	list_add_tail(&set->list, &pktstat_gone);
	mutex_unlock(&pktstat_gone_mutex);
	pktstat_reap();
}

static struct pktstat_set *pktstat_set_create(struct pktstat_net *pn,
					      const struct xt_pktstat_info *info)
{
	struct pktstat_set *set = kzalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);

	if (!set)
		return ERR_PTR(-ENOMEM);
	strscpy(set->name, info->name, sizeof(set->name));
	init_waitqueue_head(&set->wq);
	set->core.capacity = info->samples;
	/*
	 * Up to 24 MiB: a ring over the cgroup's limit is refused (-ENOMEM), the
	 * memcg OOM killer is not woken for it, and the log is not flooded. Its
	 * failure returns at once: a failed vmalloc may free its pages from a work
	 * item, so they stay charged a moment and the next allocation would hit
	 * memory.max.
	 */
	set->core.ring = kvcalloc(info->samples, sizeof(*set->core.ring),
				  GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	if (!set->core.ring)
		goto fail;
	/* one entry per possible CPU: 8192 on Debian's kernels, past what kmalloc finds reliably */
	set->core.harvest = kvcalloc(nr_cpu_ids, sizeof(*set->core.harvest), GFP_KERNEL_ACCOUNT);
	set->core.taken = kvcalloc(nr_cpu_ids, sizeof(*set->core.taken), GFP_KERNEL_ACCOUNT);
	set->core.pcpu = alloc_percpu_gfp(struct pktstat_pcpu, GFP_KERNEL_ACCOUNT);
	if (!set->core.harvest || !set->core.taken || !set->core.pcpu)
		goto fail;
	pktstat_core_init(&set->core, info->period_ns);

	set->pde = proc_mkdir_data(set->name, 0555, pn->dir, set);
	if (!set->pde)
		goto fail;
	/* stats too is root's: it shows traffic, as iptables -L -v does only to root */
	if (!proc_create_data("data", 0400, set->pde, &pktstat_data_ops, set) ||
	    !proc_create_data("stream", 0400, set->pde, &pktstat_stream_ops, set) ||
	    !proc_create_single_data("config", 0444, set->pde, pktstat_config_show, set) ||
	    !proc_create_single_data("stats", 0400, set->pde, pktstat_stats_show, set)) {
		proc_remove(set->pde);
		/* a file made before the failure may have been opened and polled */
		pktstat_set_retire(set);
		return ERR_PTR(-ENOMEM);
	}
	refcount_set(&set->rules, 1);
	list_add(&set->list, &pn->sets);
	return set;
fail:
	pktstat_set_free_core(set);
	kfree(set);
	return ERR_PTR(-ENOMEM);
}

static int pktstat_check_name(const char *name)
{
	size_t i, len = strnlen(name, XT_PKTSTAT_NAME_LEN);

	if (len == XT_PKTSTAT_NAME_LEN) {
		pr_info_ratelimited("name is not NUL-terminated\n");
		return -EINVAL;
	}
	if (len == 0 || name[0] == '.') {
		pr_info_ratelimited("name \"%s\" must be 1-15 characters not starting with '.'\n",
				    name);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (!xt_pktstat_name_char_ok(name[i])) {
			pr_info_ratelimited("name \"%s\" has a character outside [A-Za-z0-9_.-]\n",
					    name);
			return -EINVAL;
		}
	}
	/* the generic rule for names that become proc entries ("..", "/") */
	return xt_check_proc_name(name, XT_PKTSTAT_NAME_LEN);
}

static int pktstat_check_info(const struct xt_pktstat_info *info, u8 revision)
{
	u32 known = revision ? XT_PKTSTAT_F_NEW_NAME : 0;

	if (info->period_ns < XT_PKTSTAT_PERIOD_MIN_NS ||
	    info->period_ns > XT_PKTSTAT_PERIOD_MAX_NS) {
		pr_info_ratelimited("period %llu ns is outside %llu..%llu ns\n",
				    (unsigned long long)info->period_ns,
				    XT_PKTSTAT_PERIOD_MIN_NS, XT_PKTSTAT_PERIOD_MAX_NS);
		return -EINVAL;
	}
	if (info->samples < XT_PKTSTAT_SAMPLES_MIN || info->samples > XT_PKTSTAT_SAMPLES_MAX) {
		pr_info_ratelimited("samples %u is outside %u..%u\n", info->samples,
				    XT_PKTSTAT_SAMPLES_MIN, XT_PKTSTAT_SAMPLES_MAX);
		return -EINVAL;
	}
	if (info->flags & ~known) {
		pr_info_ratelimited("unknown flags 0x%x\n", info->flags & ~known);
		return -EINVAL;
	}
	return pktstat_check_name(info->name);
}

static struct pktstat_set *pktstat_find(struct pktstat_net *pn, const char *name)
{
	struct pktstat_set *set;

	list_for_each_entry(set, &pn->sets, list)
		if (!strcmp(set->name, name))
			return set;
	return NULL;
}

static int pktstat_mt_check(const struct xt_mtchk_param *par)
{
	struct pktstat_net *pn = net_generic(par->net, pktstat_net_id);
	struct xt_pktstat_info *info = par->matchinfo;
	struct pktstat_set *set;
	int ret;

	ret = pktstat_check_info(info, par->match->revision);
	if (ret)
		return ret;

	mutex_lock(&pn->mutex);
	set = pktstat_find(pn, info->name);
	if (set && (info->flags & XT_PKTSTAT_F_NEW_NAME)) {
		pr_info_ratelimited("set %s exists: another iptables chose the same unused name at the same time; add the rule again\n",
				    set->name);
		ret = -EEXIST;
	} else if (!set) {
		set = pktstat_set_create(pn, info);
		ret = PTR_ERR_OR_ZERO(set);
	} else if (set->core.period != info->period_ns) {
		pr_info_ratelimited("set %s: period %llu ns conflicts with its %llu ns\n",
				    set->name, info->period_ns, set->core.period);
		ret = -EINVAL;
	} else if (set->core.capacity != info->samples) {
		pr_info_ratelimited("set %s: samples %u conflicts with its %u\n",
				    set->name, info->samples, set->core.capacity);
		ret = -EINVAL;
	} else {
		refcount_inc(&set->rules);
	}
	if (!ret) {
		info->set = set;
		/* later table replacements hand the rule back: it names an existing set then */
		info->flags &= ~XT_PKTSTAT_F_NEW_NAME;
	}
	mutex_unlock(&pn->mutex);
	return ret;
}

/*
 * The namespace's exit may already have run (it removes the proc tree, see
 * pktstat_net_exit()); the pernet data stays valid until every exit is done.
 */
static void pktstat_mt_destroy(const struct xt_mtdtor_param *par)
{
	struct pktstat_net *pn = net_generic(par->net, pktstat_net_id);
	const struct xt_pktstat_info *info = par->matchinfo;
	struct pktstat_set *set = info->set;

	mutex_lock(&pn->mutex);
	if (!refcount_dec_and_test(&set->rules)) {
		mutex_unlock(&pn->mutex);
		return;
	}
	list_del(&set->list);
	/* sleeps until readers in flight leave and releases open files: a mutex is fine */
	proc_remove(set->pde);
	mutex_unlock(&pn->mutex);
	pktstat_set_retire(set);
}

/*
 * The frames a GSO/GRO super-packet is on the wire, and the header bytes its
 * segments after the first carry (*seg_hdr): the estimate qdisc_pkt_len_init()
 * makes, counted from the network header on as skb->len is here. An untrusted
 * source (tun, virtio: SKB_GSO_DODGY) leaves gso_segs 0, so it is computed from
 * the payload. Tunnelled segments repeat every header up to the inner transport
 * header's end.
 */
static u32 pktstat_gso_segs(const struct sk_buff *skb, u64 *seg_hdr)
{
	const struct skb_shared_info *si = skb_shinfo(skb);
	u32 segs = si->gso_segs;
	int hdr = 0;

	if (skb_transport_header_was_set(skb))
		hdr = skb->encapsulation ? skb_inner_transport_offset(skb) :
		      skb_transport_offset(skb);
	if (hdr < 0 || (unsigned int)hdr >= skb->len) {
		hdr = 0;
	} else if (si->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) {
		struct tcphdr _th;
		const struct tcphdr *th = skb_header_pointer(skb, hdr, sizeof(_th), &_th);

		if (th)
			hdr += __tcp_hdrlen(th);
	} else if (si->gso_type & SKB_GSO_UDP_L4) {
		hdr += sizeof(struct udphdr);
	}
	if ((si->gso_type & SKB_GSO_DODGY || !segs) && skb->len > (unsigned int)hdr)
		segs = DIV_ROUND_UP(skb->len - hdr, si->gso_size);
	if (!segs)
		segs = 1;
	*seg_hdr = (u64)(segs - 1) * hdr;
	return segs;
}

static bool pktstat_mt(const struct sk_buff *skb, struct xt_action_param *par)
{
	const struct xt_pktstat_info *info = par->matchinfo;
	struct pktstat_core *c = &info->set->core;
	bool gso = skb_is_gso(skb), bh_enabled, pushed;
	struct pktstat_pcpu *pc;
	u64 seg_hdr = 0;
	u32 segs = 1;

	/*
	 * A CPU's counters must not be entered twice at once, so BHs must be off.
	 * Legacy tables and the receive path already run with them off, and a
	 * disable/enable pair costs more than the count; iptables-nft runs xtables
	 * matches through nft_compat, possibly with BHs enabled (local output), so
	 * only then disable them here.
	 */
	if (unlikely(gso))
		segs = pktstat_gso_segs(skb, &seg_hdr);
	bh_enabled = !softirq_count();
	if (bh_enabled)
		local_bh_disable();
	pc = this_cpu_ptr(c->pcpu);
	/* constants at the single-frame call: it compiles without the segment counters */
	if (likely(!gso))
		pushed = pktstat_count(c, pc, 1, skb->len, 0);
	else
		pushed = pktstat_count(c, pc, segs, skb->len, seg_hdr);
	if (bh_enabled)
		local_bh_enable();
	if (unlikely(pushed))
		pktstat_wake(info->set);
	return true;
}

/* Revision 1 adds XT_PKTSTAT_F_NEW_NAME; an older extension keeps using revision 0. */
static struct xt_match pktstat_mt_reg[] __read_mostly = {
	{
		.name		= "pktstat",
		.revision	= 0,
		.family		= NFPROTO_UNSPEC,
		.match		= pktstat_mt,
		.checkentry	= pktstat_mt_check,
		.destroy	= pktstat_mt_destroy,
		.matchsize	= sizeof(struct xt_pktstat_info),
		.usersize	= offsetof(struct xt_pktstat_info, set),
		.me		= THIS_MODULE,
	},
	{
		.name		= "pktstat",
		.revision	= 1,
		.family		= NFPROTO_UNSPEC,
		.match		= pktstat_mt,
		.checkentry	= pktstat_mt_check,
		.destroy	= pktstat_mt_destroy,
		.matchsize	= sizeof(struct xt_pktstat_info),
		.usersize	= offsetof(struct xt_pktstat_info, set),
		.me		= THIS_MODULE,
	},
};

static int __net_init pktstat_net_init(struct net *net)
{
	struct pktstat_net *pn = net_generic(net, pktstat_net_id);

	mutex_init(&pn->mutex);
	INIT_LIST_HEAD(&pn->sets);
	pn->dir = proc_mkdir(XT_PKTSTAT_PROC_NAME, net->proc_net);
	return pn->dir ? 0 : -ENOMEM;
}

/*
 * Runs before the destroy of the namespace's rules when the namespace dies
 * (as in xt_hashlimit): remove the proc tree here, sets are freed by destroy.
 */
static void __net_exit pktstat_net_exit(struct net *net)
{
	struct pktstat_net *pn = net_generic(net, pktstat_net_id);
	struct pktstat_set *set;

	mutex_lock(&pn->mutex);
	list_for_each_entry(set, &pn->sets, list)
		set->pde = NULL;
	proc_remove(pn->dir);
	pn->dir = NULL;
	/* pollers re-poll, find their file gone and return */
	list_for_each_entry(set, &pn->sets, list)
		pktstat_wake(set);
	mutex_unlock(&pn->mutex);
}

static struct pernet_operations pktstat_net_ops = {
	.init	= pktstat_net_init,
	.exit	= pktstat_net_exit,
	.id	= &pktstat_net_id,
	.size	= sizeof(struct pktstat_net),
};

static int __init pktstat_mt_init(void)
{
	int ret;

	ret = register_pernet_subsys(&pktstat_net_ops);
	if (ret)
		return ret;
	ret = xt_register_matches(pktstat_mt_reg, ARRAY_SIZE(pktstat_mt_reg));
	if (ret) {
		unregister_pernet_subsys(&pktstat_net_ops);
		return ret;
	}
	pr_info("init! size:%zu\n", sizeof(struct xt_pktstat_info));
	return 0;
}

/*
 * Every set is retired by now (rules hold the module). A removed set's queue may
 * still hold a poll() or select() caller that was woken but has not run yet, or
 * one that waits for its timeout: wait until it returns, as the module's code
 * and the sets' memory must outlive every wait entry. A signal to rmmod stops
 * the wait and leaves those sets allocated, which is safe: nothing frees them.
 */
static void pktstat_wait_gone(void)
{
	unsigned int left;
	bool told = false;

	while ((left = pktstat_reap())) {
		if (!told) {
			pr_info("waiting for %u removed set(s) whose files are in poll() or select()\n",
				left);
			told = true;
		}
		if (msleep_interruptible(10) || signal_pending(current)) {
			pr_warn("rmmod interrupted: %u removed set(s) stay allocated for their pollers\n",
				left);
			return;
		}
	}
}

static void __exit pktstat_mt_exit(void)
{
	xt_unregister_matches(pktstat_mt_reg, ARRAY_SIZE(pktstat_mt_reg));
	unregister_pernet_subsys(&pktstat_net_ops);
	pktstat_wait_gone();
}

module_init(pktstat_mt_init);
module_exit(pktstat_mt_exit);
