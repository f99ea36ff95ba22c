// SPDX-License-Identifier: GPL-2.0
/*
 * The SynIC of each CPU (TLFS "Inter-Partition Communication"): set up and
 * torn down through a cpuhp state, and the message and event-flag paths.
 *
 * Per CPU, online: zeroed SIM and SIEF pages; SIMP, SIEFP, SINT2 (our
 * vector, unmasked, AutoEOI unless CPUID 0x40000004 recommends deprecating
 * it; the polling bit instead of an interrupt in polling mode), then
 * SCONTROL; then an EOM, so anything the host queued for this VP while it
 * was offline is delivered.  Offline: the reverse, restoring the values
 * found, with a last drain once the host can no longer deliver.
 *
 * A message is handled as the TLFS recommends: copy the slot out (host
 * memory is untrusted, only the copy is validated), give the slot back
 * with an atomic exchange of its type, and write EOM only when the host
 * set message_pending.  Event flags are taken with an atomic exchange of
 * each word.  None of this runs in hard-IRQ context.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/smp.h>
#include <hypervive/tlfs.h>
#include <hypervive/common.h>
#include <hypervive/core.h>
#include "vmbus.h"

DEFINE_PER_CPU(struct hvv_cpu, hvv_cpus);

/* Messages per tasklet run before it yields to the rest of the softirq. */
#define HVV_MSG_BUDGET		64
#define HVV_FLAG_LONGS		(256 / sizeof(unsigned long))

/* How often a polling CPU looks at its SIM and SIEF pages. */
unsigned int hvv_poll_ms = 10;

static const struct hvv_range poll_range = { 1, 1000 };

static int poll_ms_set(const char *val, const struct kernel_param *kp)
{
	return hvv_range_set(val, kp, &poll_range);
}

static const struct kernel_param_ops poll_ms_ops = {
	.set = poll_ms_set,
	.get = param_get_uint,
};

module_param_cb(poll_ms, &poll_ms_ops, &hvv_poll_ms, 0644);
MODULE_PARM_DESC(poll_ms, "polling interval in ms when polling (1-1000, default 10)");

const char *hvv_cpu_state_name(enum hvv_cpu_state s)
{
	static const char * const names[] = {
		[HVV_CPU_OFF] = "off",
		[HVV_CPU_ON] = "on",
		[HVV_CPU_OTHER] = "other_owner",
		[HVV_CPU_FAILED] = "failed",
	};

	return s < ARRAY_SIZE(names) ? names[s] : "?";
}

/*
 * EOM makes the host move its next queued message into the slot.  Should
 * the write fail, the queue would stall with nobody to restart it: retry
 * from this CPU's timer until it works.
 */
static void write_eom(struct hvv_cpu *c)
{
	if (hypervive_wrmsr(HVT_X64_MSR_EOM, 0)) {
		atomic64_inc(&hvv.ctr.eom_failures);
		pr_warn_ratelimited("EOM failed on CPU %u: retrying every %u ms\n",
				    smp_processor_id(), READ_ONCE(hvv_poll_ms));
		if (!c->eom_owed && READ_ONCE(c->enabled))
			mod_timer(&c->poll_timer,
				  jiffies + msecs_to_jiffies(READ_ONCE(hvv_poll_ms)));
		c->eom_owed = true;
		return;
	}
	c->eom_owed = false;
	c->eoms++;
	atomic64_inc(&hvv.ctr.eoms);
}

/* Take the message in our SINT's slot, if any; see the file comment. */
static bool take_message(struct hvv_cpu *c, struct hvv_message *copy)
{
	struct hvv_message *slot = &c->msg_page[HVV_MESSAGE_SINT];
	u32 *type = (u32 *)&slot->header;

	if (READ_ONCE(*type) == HVV_MSGTYPE_NONE)
		return false;
	/* The host writes the type last: read the rest after it. */
	smp_rmb();
	memcpy(copy, slot, sizeof(*copy));
	/* A full barrier: the host sets message_pending, then re-reads the type. */
	xchg(type, HVV_MSGTYPE_NONE);
	if (READ_ONCE(slot->header.message_flags) & HVV_MSG_FLAG_PENDING)
		write_eom(c);
	return true;
}

static void handle_message(struct hvv_cpu *c, const struct hvv_message *m)
{
	enum hvv_verdict v;
	u32 msgtype = 0;

	c->messages++;
	atomic64_inc(&hvv.ctr.messages);
	switch (m->header.message_type) {
	case HVV_MSGTYPE_PROBE:
		atomic64_inc(&hvv.ctr.probes);
		spin_lock(&hvv.probe_lock);
		hvv_probe_account(&hvv.probe, m);
		spin_unlock(&hvv.probe_lock);
		return;
	case HVV_MSGTYPE_VMBUS:
		v = hvv_check_vmbus(m, &msgtype);
		if (v == HVV_OK) {
			hvv_conn_queue(m, msgtype);
			return;
		}
		break;
	default:
		v = HVV_DROP_BAD_TYPE;
		break;
	}
	hvv_drop(v, m->header.message_type, m->header.payload_size, msgtype);
}

static void scan_events(struct hvv_cpu *c)
{
	unsigned long *flags = c->event_page + HVV_MESSAGE_SINT * HVV_FLAG_LONGS;
	unsigned int i, bit;

	for (i = 0; i < HVV_FLAG_LONGS; i++) {
		unsigned long word;

		if (!READ_ONCE(flags[i]))
			continue;
		word = xchg(&flags[i], 0);
		for_each_set_bit(bit, &word, BITS_PER_LONG) {
			u32 relid = i * BITS_PER_LONG + bit;

			c->events++;
			if (!relid)
				atomic64_inc(&hvv.ctr.events_protocol);
			else
				hvv_channel_event(relid);
		}
	}
}

/* The softirq half: tasklet in interrupt mode, timer in polling mode. */
static bool process(struct hvv_cpu *c)
{
	struct hvv_message copy;
	unsigned int n;

	if (c->eom_owed)
		write_eom(c);
	scan_events(c);
	for (n = 0; n < HVV_MSG_BUDGET; n++) {
		u64 t0 = ktime_get_ns();

		if (!take_message(c, &copy))
			return false;
		handle_message(c, &copy);
		atomic64_add(ktime_get_ns() - t0, &hvv.ctr.handler_ns);
	}
	return true;	/* budget used up: more may wait */
}

static void tasklet_fn(struct tasklet_struct *t)
{
	struct hvv_cpu *c = from_tasklet(c, t, tasklet);

	if (READ_ONCE(c->enabled) && process(c))
		tasklet_schedule(&c->tasklet);
}

/* Polling mode, or an EOM to retry: runs on its own CPU (TIMER_PINNED). */
static void poll_fn(struct timer_list *t)
{
	struct hvv_cpu *c = timer_container_of(c, t, poll_timer);
	bool polling = READ_ONCE(c->polling);

	if (!polling && !c->eom_owed)
		return;
	if (polling) {
		c->polls++;
		atomic64_inc(&hvv.ctr.polls);
	}
	while (process(c))
		;
	if (polling || c->eom_owed)
		mod_timer(&c->poll_timer, jiffies + msecs_to_jiffies(READ_ONCE(hvv_poll_ms)));
}

/* Hard-IRQ context, on the CPU whose SINT fired: schedule, nothing more. */
void hvv_isr(void)
{
	struct hvv_cpu *c = this_cpu_ptr(&hvv_cpus);

	c->interrupts++;
	atomic64_inc(&hvv.ctr.interrupts);
	if (READ_ONCE(c->enabled))
		tasklet_schedule(&c->tasklet);
}

struct msr_read {
	u32 msr;
	u64 val;
	int ret;
};

static void read_here(void *data)
{
	struct msr_read *r = data;

	r->ret = hypervive_rdmsr(r->msr, &r->val);
}

/* A synthetic MSR of @cpu, read on that CPU; -ENODEV when it is offline. */
int hvv_read_cpu_msr(unsigned int cpu, u32 msr, u64 *val)
{
	struct msr_read r = { .msr = msr };
	int ret = -ENODEV;

	cpus_read_lock();
	if (cpu_online(cpu))
		ret = smp_call_function_single(cpu, read_here, &r, 1) ?: r.ret;
	cpus_read_unlock();
	*val = r.val;
	return ret;
}

static bool owned_by_other(u64 scontrol, u64 simp, u64 siefp)
{
	return (scontrol & HVT_SYNIC_CONTROL_ENABLE) || (simp & HVT_SYNIC_PAGE_ENABLE) ||
	       (siefp & HVT_SYNIC_PAGE_ENABLE);
}

static int read_found(struct hvv_cpu *c)
{
	return hypervive_rdmsr(HVT_X64_MSR_SCONTROL, &c->found_scontrol) ?:
	       hypervive_rdmsr(HVT_X64_MSR_SIMP, &c->found_simp) ?:
	       hypervive_rdmsr(HVT_X64_MSR_SIEFP, &c->found_siefp) ?:
	       hypervive_rdmsr(HVT_X64_MSR_SINT0 + HVV_MESSAGE_SINT, &c->found_sint);
}

static u64 sint_value(u64 found)
{
	u64 v = (found & HVT_SYNIC_SINT_RSVDP) | hvv.vector;

	if (hvv.aeoi)
		v |= HVT_SYNIC_SINT_AUTO_EOI;
	/*
	 * TLFS: "unmasking an interrupt source, except that an actual
	 * interrupt is not generated".
	 */
	if (hvv.delivery == HVV_DELIVERY_POLL)
		v |= HVT_SYNIC_SINT_POLLING;
	return v;
}

/* cpuhp "online": runs on @cpu. */
static int hvv_cpu_online(unsigned int cpu)
{
	struct hvv_cpu *c = per_cpu_ptr(&hvv_cpus, cpu);
	int ret;

	ret = read_found(c);
	if (ret)
		goto fail;
	if (owned_by_other(c->found_scontrol, c->found_simp, c->found_siefp)) {
		pr_warn("CPU %u: SynIC already enabled by another owner (SCONTROL 0x%llx SIMP 0x%llx SIEFP 0x%llx): left alone\n",
			cpu, c->found_scontrol, c->found_simp, c->found_siefp);
		c->state = HVV_CPU_OTHER;
		return hvv.cpus_ready ? 0 : -EBUSY;
	}
	memset(c->msg_page, 0, PAGE_SIZE);
	memset(c->event_page, 0, PAGE_SIZE);

	ret = hypervive_wrmsr(HVT_X64_MSR_SIMP, (c->found_simp & HVT_SYNIC_PAGE_RSVDP) |
			      virt_to_phys(c->msg_page) | HVT_SYNIC_PAGE_ENABLE);
	if (ret)
		goto fail;
	ret = hypervive_wrmsr(HVT_X64_MSR_SIEFP, (c->found_siefp & HVT_SYNIC_PAGE_RSVDP) |
			      virt_to_phys(c->event_page) | HVT_SYNIC_PAGE_ENABLE);
	if (ret)
		goto undo_simp;
	ret = hypervive_wrmsr(HVT_X64_MSR_SINT0 + HVV_MESSAGE_SINT, sint_value(c->found_sint));
	if (ret)
		goto undo_siefp;
	WRITE_ONCE(c->enabled, true);
	ret = hypervive_wrmsr(HVT_X64_MSR_SCONTROL, c->found_scontrol | HVT_SYNIC_CONTROL_ENABLE);
	if (ret)
		goto undo_sint;
	c->state = HVV_CPU_ON;
	if (hvv.delivery == HVV_DELIVERY_POLL) {
		WRITE_ONCE(c->polling, true);
		c->poll_timer.expires = jiffies + msecs_to_jiffies(READ_ONCE(hvv_poll_ms));
		add_timer_on(&c->poll_timer, cpu);
	}
	/* TLFS: EOM makes the host deliver what it queued meanwhile. */
	write_eom(c);
	return 0;

undo_sint:
	WRITE_ONCE(c->enabled, false);
	hypervive_wrmsr(HVT_X64_MSR_SINT0 + HVV_MESSAGE_SINT, c->found_sint);
undo_siefp:
	hypervive_wrmsr(HVT_X64_MSR_SIEFP, c->found_siefp);
undo_simp:
	hypervive_wrmsr(HVT_X64_MSR_SIMP, c->found_simp);
fail:
	pr_err("CPU %u: setting up the SynIC failed: %d\n", cpu, ret);
	c->state = HVV_CPU_FAILED;
	/* After load a CPU still comes online, without our SynIC. */
	return hvv.cpus_ready ? 0 : ret;
}

#define HVV_OURS_SIMP	BIT(0)
#define HVV_OURS_SIEFP	BIT(1)
#define HVV_OURS_SINT	BIT(2)
#define HVV_OURS_ALL	(HVV_OURS_SIMP | HVV_OURS_SIEFP | HVV_OURS_SINT)

static bool page_msr_is(u64 msr, void *page)
{
	return (msr & ~HVT_SYNIC_PAGE_RSVDP) == (virt_to_phys(page) | HVT_SYNIC_PAGE_ENABLE);
}

/*
 * Which of SIMP, SIEFP and our SINT still hold what we wrote: a driver
 * loaded after us (the kernel's hv_vmbus) may have taken them, and putting
 * back what we found would pull the SynIC from under it.  SCONTROL is put
 * back only when all three are still ours.  An MSR we cannot read counts
 * as ours: we put back what we found, as before.
 */
static unsigned int still_ours(unsigned int cpu, struct hvv_cpu *c)
{
	unsigned int ours = HVV_OURS_ALL;
	u64 simp = 0, siefp = 0, sint = 0;

	if (!hypervive_rdmsr(HVT_X64_MSR_SIMP, &simp) && !page_msr_is(simp, c->msg_page))
		ours &= ~HVV_OURS_SIMP;
	if (!hypervive_rdmsr(HVT_X64_MSR_SIEFP, &siefp) && !page_msr_is(siefp, c->event_page))
		ours &= ~HVV_OURS_SIEFP;
	if (!hypervive_rdmsr(HVT_X64_MSR_SINT0 + HVV_MESSAGE_SINT, &sint) &&
	    sint != sint_value(c->found_sint))
		ours &= ~HVV_OURS_SINT;
	if (ours != HVV_OURS_ALL)
		pr_warn_ratelimited("CPU %u: another owner changed the SynIC after us (SIMP 0x%llx SIEFP 0x%llx SINT%u 0x%llx): putting back only what is still ours, SCONTROL left enabled\n",
				    cpu, simp, siefp, HVV_MESSAGE_SINT, sint);
	return ours;
}

/* cpuhp "offline": runs on @cpu, before it goes. */
static int hvv_cpu_offline(unsigned int cpu)
{
	struct hvv_cpu *c = per_cpu_ptr(&hvv_cpus, cpu);
	unsigned int ours;

	if (c->state != HVV_CPU_ON) {
		c->state = HVV_CPU_OFF;
		return 0;
	}
	/* The host answers on the CPU we named in INITIATE_CONTACT. */
	if (cpu == hvv.connect_cpu && READ_ONCE(hvv.conn_state) != HVV_DISCONNECTED) {
		pr_info_ratelimited("CPU %u carries the VMBus connection: it stays online\n", cpu);
		return -EBUSY;
	}
	WRITE_ONCE(c->polling, false);
	timer_delete_sync(&c->poll_timer);
	ours = still_ours(cpu, c);
	/* No more deliveries to this VP; what is queued stays queued. */
	if (ours == HVV_OURS_ALL)
		hypervive_wrmsr(HVT_X64_MSR_SCONTROL, c->found_scontrol);
	local_bh_disable();
	while (process(c))
		;
	local_bh_enable();
	WRITE_ONCE(c->enabled, false);
	tasklet_kill(&c->tasklet);
	/* The drain may have armed an EOM retry: nothing re-arms it now. */
	c->eom_owed = false;
	timer_delete_sync(&c->poll_timer);
	if (ours & HVV_OURS_SINT)
		hypervive_wrmsr(HVT_X64_MSR_SINT0 + HVV_MESSAGE_SINT, c->found_sint);
	/* A page the hypervisor may still write is never freed (hvv_synic_free()). */
	c->keep_event_page = (ours & HVV_OURS_SIEFP) &&
			     hypervive_wrmsr(HVT_X64_MSR_SIEFP, c->found_siefp);
	c->keep_msg_page = (ours & HVV_OURS_SIMP) &&
			   hypervive_wrmsr(HVT_X64_MSR_SIMP, c->found_simp);
	c->state = HVV_CPU_OFF;
	return 0;
}

/*
 * Panic: only this CPU runs.  As Linux's hv_crash_handler(), this CPU's
 * SynIC goes back to what we found, so a kdump kernel starts on a VP that
 * delivers nothing into our pages; the others stopped with theirs on.
 */
void hvv_synic_panic_off(void)
{
	struct hvv_cpu *c = this_cpu_ptr(&hvv_cpus);
	unsigned int ours;

	if (c->state != HVV_CPU_ON)
		return;
	WRITE_ONCE(c->enabled, false);
	WRITE_ONCE(c->polling, false);
	ours = still_ours(smp_processor_id(), c);
	if (ours == HVV_OURS_ALL)
		hypervive_wrmsr(HVT_X64_MSR_SCONTROL, c->found_scontrol);
	if (ours & HVV_OURS_SINT)
		hypervive_wrmsr(HVT_X64_MSR_SINT0 + HVV_MESSAGE_SINT, c->found_sint);
	if (ours & HVV_OURS_SIEFP)
		hypervive_wrmsr(HVT_X64_MSR_SIEFP, c->found_siefp);
	if (ours & HVV_OURS_SIMP)
		hypervive_wrmsr(HVT_X64_MSR_SIMP, c->found_simp);
	c->state = HVV_CPU_OFF;
}

int hvv_synic_alloc(void)
{
	unsigned int cpu;

	/* Every possible CPU: a CPU that comes online later needs no allocation. */
	for_each_possible_cpu(cpu) {
		struct hvv_cpu *c = per_cpu_ptr(&hvv_cpus, cpu);

		c->msg_page = (void *)get_zeroed_page(GFP_KERNEL);
		c->event_page = (void *)get_zeroed_page(GFP_KERNEL);
		if (!c->msg_page || !c->event_page) {
			hvv_synic_free();
			return -ENOMEM;
		}
		tasklet_setup(&c->tasklet, tasklet_fn);
		timer_setup(&c->poll_timer, poll_fn, TIMER_PINNED);
	}
	return 0;
}

void hvv_synic_free(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct hvv_cpu *c = per_cpu_ptr(&hvv_cpus, cpu);

		if (c->keep_msg_page || c->keep_event_page) {
			pr_warn("CPU %u: kept %u SynIC pages the hypervisor may still write (putting back SIMP/SIEFP failed): leaked until reboot\n",
				cpu, c->keep_msg_page + c->keep_event_page);
			hypervive_pages_leaked(c->keep_msg_page + c->keep_event_page);
		}
		if (!c->keep_msg_page)
			free_page((unsigned long)c->msg_page);
		if (!c->keep_event_page)
			free_page((unsigned long)c->event_page);
		c->keep_msg_page = false;
		c->keep_event_page = false;
		c->msg_page = NULL;
		c->event_page = NULL;
	}
}

int hvv_synic_start(void)
{
	int ret;

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hypervive/vmbus:online",
				hvv_cpu_online, hvv_cpu_offline);
	if (ret < 0)
		return ret;
	hvv.cpuhp_state = ret;
	hvv.cpus_ready = true;
	return 0;
}

void hvv_synic_stop(void)
{
	if (hvv.cpuhp_state <= 0)
		return;
	cpuhp_remove_state(hvv.cpuhp_state);
	hvv.cpuhp_state = 0;
	hvv.cpus_ready = false;
}
