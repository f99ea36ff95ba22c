// SPDX-License-Identifier: GPL-2.0
/*
 * The SynIC of every virtual processor: one per possible CPU, VP index =
 * CPU number (what HV_X64_MSR_VP_INDEX reports).  TLFS "Inter-Partition
 * Communication" and "SynIC MSRs" rules modelled:
 * - SCONTROL, SIEFP, SIMP are 0 and every SINTx is 0x10000 (masked) at
 *   creation; SVERSION is read-only (#GP on write) and reads 1; EOM reads
 *   0; SINTx is at 0x40000090 + x; RsvdP bits keep their value (a write
 *   that changes them is counted in rsvd_violations);
 * - a SINT vector below 16 faults unless the SINT is masked (the TLFS's
 *   own reset value has vector 0; KVM reads it the same way);
 * - SIM and SIEF pages live in guest memory at the GPA the guest gives;
 *   one outside RAM is "not accessible": nothing is delivered there;
 * - a queue of message buffers per SINT, FIFO; a message moves into its
 *   slot only when SCONTROL and SIMP are enabled and the slot's type is
 *   HvMessageTypeNone, on three triggers: another buffer queued, an EOI,
 *   an EOM.  A message that finds the slot full stays queued and sets
 *   message_pending in the slot;
 * - delivery raises an edge interrupt unless the SINT is masked (lost) or
 *   polling (none); the polling bit counts only where CPUID 0x40000003
 *   EDX[17] (SintPollingModeAvailable) offers it: elsewhere the interrupt
 *   comes on the SINT's vector, as on KVM, whose synic_get_sint_vector()
 *   (arch/x86/kvm/hyperv.c) reads the Masked bit alone; it reaches the
 *   VP's CPU in hard-IRQ context (an irq_work on the CPU itself, an IPI
 *   otherwise) and calls the handler installed through the platform op
 *   when the SINT's vector is the one handed out.  AutoEOI performs the
 *   EOI at delivery; otherwise the
 *   kernel's interrupt entry acks the APIC after the handler only when
 *   CPUID 0x40000004 recommends deprecating AutoEOI (as Linux's
 *   sysvec_hyperv_callback does), and an un-acked interrupt blocks the
 *   next ones, as a real in-service bit would;
 * - event flags: setting a clear flag interrupts, a set one does not; a
 *   masked SINT refuses with HV_STATUS_INVALID_SYNIC_STATE;
 * - HV_X64_MSR_EOI (write-only, AccessApicMsrs privilege) is the APIC EOI:
 *   it ends the interrupt in service and scans the queues.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/irq_work.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/mshyperv.h>
#include "sim.h"
#include "sim_vmbus.h"

#define NR_SINT			HV_SYNIC_SINT_COUNT
#define SCONTROL_ENABLE		BIT_ULL(0)
#define SCONTROL_RSVDP		GENMASK_ULL(63, 1)
#define PAGE_ENABLE		BIT_ULL(0)
#define PAGE_RSVDP		GENMASK_ULL(11, 1)
#define SINT_VECTOR		GENMASK_ULL(7, 0)
#define SINT_MASKED		BIT_ULL(16)
#define SINT_AUTO_EOI		BIT_ULL(17)
#define SINT_POLLING		BIT_ULL(18)
#define SINT_RSVDP		(GENMASK_ULL(63, 19) | GENMASK_ULL(15, 8))
#define SINT_RESET		SINT_MASKED

static uint queue_limit = 16;
module_param(queue_limit, uint, 0444);
MODULE_PARM_DESC(queue_limit, "message buffers per SINT queue (TLFS: 16 per port); a full queue answers HV_STATUS_INSUFFICIENT_BUFFERS");
static bool sint_irq = true;
module_param(sint_irq, bool, 0444);
MODULE_PARM_DESC(sint_irq, "offer an interrupt path for SINTs through the platform op (0: none, guests must poll)");
static uint sint_vector = 0xf3;
module_param(sint_vector, uint, 0444);
MODULE_PARM_DESC(sint_vector, "the vector the platform op hands out (16-255)");
static bool synic_owned;
module_param(synic_owned, bool, 0444);
MODULE_PARM_DESC(synic_owned, "another owner (Linux's hv_vmbus) has enabled the SynIC of every VP at load");

struct sim_qmsg {
	struct list_head node;
	struct hv_message msg;
};

struct sim_vp {
	spinlock_t lock;		/* everything below */
	unsigned int cpu;
	u64 scontrol, simp, siefp, sint[NR_SINT];
	struct hv_message_page *msg_page;	/* SIMP on and in RAM */
	union hv_synic_event_flags *event_page;	/* SIEFP on and in RAM */
	struct list_head queue[NR_SINT];
	unsigned int queued[NR_SINT];
	unsigned long irr;		/* SINTs with an interrupt to deliver */
	bool in_service;		/* delivered without AutoEOI, no EOI yet */
	struct irq_work iw;		/* delivery on this CPU */
	call_single_data_t csd;		/* delivery from another CPU */
	wait_queue_head_t room;		/* a queue shrank */
	u64 posted, delivered, pending_set, interrupts, polled, masked_lost;
	u64 no_handler, blocked, eoms, eois, signals;
};

static struct sim_vp *vps;
static unsigned long *owner_pages;	/* synic_owned: the other owner's pages */
/*
 * The installed handler.  fire() reads it with interrupts off, so the
 * synchronize_rcu() of hypervive_sint_handler_remove() outlasts any use.
 */
static void (*sim_handler)(void);

static void try_deliver(struct sim_vp *vp, unsigned int sint);

static struct sim_vp *vp_of(unsigned int vp)
{
	if (vp >= nr_cpu_ids || !cpu_possible(vp))
		return NULL;
	return &vps[vp];
}

static void kick(struct sim_vp *vp)
{
	int ret;

	if (vp->cpu == smp_processor_id()) {
		irq_work_queue(&vp->iw);
		return;
	}
	/* -EBUSY: an IPI is already on its way and will see vp->irr. */
	ret = smp_call_function_single_async(vp->cpu, &vp->csd);
	if (ret && ret != -EBUSY)
		vp->masked_lost++;
}

/* An edge interrupt for @sint, if the SINT lets one through. */
static void raise(struct sim_vp *vp, unsigned int sint)
{
	u64 s = vp->sint[sint];

	if ((s & SINT_POLLING) && (sim_cfg.features_edx & SIM_SINT_POLLING_AVAILABLE)) {
		vp->polled++;
		return;
	}
	if (s & SINT_MASKED) {
		vp->masked_lost++;	/* TLFS: "the interrupt is lost" */
		return;
	}
	set_bit(sint, &vp->irr);
	if (!vp->in_service || (s & SINT_AUTO_EOI))
		kick(vp);
	else
		vp->blocked++;	/* held in the IRR until an EOI */
}

/* TLFS: on each trigger, scan the queues and deliver what fits. */
static void scan(struct sim_vp *vp)
{
	unsigned int sint;

	for (sint = 0; sint < NR_SINT; sint++)
		try_deliver(vp, sint);
}

static void try_deliver(struct sim_vp *vp, unsigned int sint)
{
	struct hv_message *slot;
	struct sim_qmsg *m;

	if (!(vp->scontrol & SCONTROL_ENABLE) || !vp->msg_page ||
	    list_empty(&vp->queue[sint]))
		return;
	slot = &vp->msg_page->sint_message[sint];
	if (READ_ONCE(slot->header.message_type) != HVMSG_NONE) {
		/*
		 * Tell the guest to write EOM once it has emptied the slot,
		 * then look again: if it emptied the slot meanwhile it may
		 * have read the flag before we set it, so deliver now.  The
		 * guest's atomic exchange of the type is the other half.
		 */
		WRITE_ONCE(slot->header.message_flags.asu8,
			   READ_ONCE(slot->header.message_flags.asu8) | 1);
		vp->pending_set++;
		/* Flag store before the type load; pairs with the guest's xchg. */
		smp_mb();
		if (READ_ONCE(slot->header.message_type) != HVMSG_NONE)
			return;
	}
	m = list_first_entry(&vp->queue[sint], struct sim_qmsg, node);
	list_del(&m->node);
	vp->queued[sint]--;
	memcpy(&slot->u, &m->msg.u, min_t(u32, m->msg.header.payload_size,
					  HV_MESSAGE_PAYLOAD_BYTE_COUNT));
	slot->header.payload_size = m->msg.header.payload_size;
	slot->header.sender = m->msg.header.sender;
	slot->header.message_flags.asu8 = vp->queued[sint] ? 1 : 0;
	/* The type last: it is what tells the guest the slot is full. */
	smp_wmb();
	WRITE_ONCE(slot->header.message_type, m->msg.header.message_type);
	vp->delivered++;
	kfree(m);
	wake_up(&vp->room);
	raise(vp, sint);
}

/* An EOI: the in-service interrupt ends, queues are scanned. */
static void eoi(struct sim_vp *vp)
{
	unsigned long flags;

	spin_lock_irqsave(&vp->lock, flags);
	vp->in_service = false;
	vp->eois++;
	scan(vp);
	if (vp->irr)
		kick(vp);
	spin_unlock_irqrestore(&vp->lock, flags);
}

/* Runs on the VP's CPU in hard-IRQ context: the interrupt arrives. */
static void fire(struct sim_vp *vp)
{
	unsigned long pending = xchg(&vp->irr, 0);
	unsigned int sint;

	for_each_set_bit(sint, &pending, NR_SINT) {
		void (*handler)(void);
		bool aeoi, called = false;
		u64 s;

		spin_lock(&vp->lock);
		s = vp->sint[sint];
		aeoi = s & SINT_AUTO_EOI;
		if (!aeoi && vp->in_service) {
			/* Held in the IRR until the interrupt in service ends. */
			set_bit(sint, &vp->irr);
			vp->blocked++;
			spin_unlock(&vp->lock);
			continue;
		}
		vp->interrupts++;
		if (aeoi) {
			vp->eois++;
			scan(vp);
		} else {
			vp->in_service = true;
		}
		spin_unlock(&vp->lock);

		handler = READ_ONCE(sim_handler);
		if (handler && (s & SINT_VECTOR) == sint_vector) {
			handler();
			called = true;
		}
		if (!called) {
			spin_lock(&vp->lock);
			vp->no_handler++;
			spin_unlock(&vp->lock);
		}
		if (!aeoi && (sim_cfg.recommendations & HV_DEPRECATING_AEOI_RECOMMENDED))
			eoi(vp);
	}
}

static void fire_iw(struct irq_work *iw)
{
	fire(container_of(iw, struct sim_vp, iw));
}

static void fire_csd(void *info)
{
	fire(info);
}

bool sim_synic_msr(u32 msr)
{
	return (msr >= HV_X64_MSR_SCONTROL && msr <= HV_X64_MSR_EOM) ||
	       (msr >= HV_X64_MSR_SINT0 && msr <= HV_X64_MSR_SINT15) ||
	       msr == HV_X64_MSR_EOI;
}

static void *map_page(u64 msr)
{
	u64 pfn = msr >> HV_HYP_PAGE_SHIFT;

	if (!(msr & PAGE_ENABLE) || !pfn_valid(pfn))
		return NULL;
	return phys_to_virt(pfn << HV_HYP_PAGE_SHIFT);
}

/* A write keeps the old RsvdP bits; changing them is a guest bug. */
static u64 keep_rsvdp(u64 old, u64 val, u64 rsvdp)
{
	if ((old ^ val) & rsvdp)
		atomic64_inc(&sim.rsvd_violations);
	return (val & ~rsvdp) | (old & rsvdp);
}

int sim_synic_read(u32 msr, u64 *val)
{
	struct sim_vp *vp = &vps[get_cpu()];
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&vp->lock, flags);
	switch (msr) {
	case HV_X64_MSR_SCONTROL:
		*val = vp->scontrol;
		break;
	case HV_X64_MSR_SVERSION:
		*val = HV_SYNIC_VERSION_1;
		break;
	case HV_X64_MSR_SIEFP:
		*val = vp->siefp;
		break;
	case HV_X64_MSR_SIMP:
		*val = vp->simp;
		break;
	case HV_X64_MSR_EOM:
		*val = 0;		/* "Reads ... always return zeros" */
		break;
	case HV_X64_MSR_EOI:
		ret = -EIO;		/* write-only */
		break;
	default:
		*val = vp->sint[msr - HV_X64_MSR_SINT0];
		break;
	}
	spin_unlock_irqrestore(&vp->lock, flags);
	put_cpu();
	return ret;
}

int sim_synic_write(u32 msr, u64 val)
{
	struct sim_vp *vp = &vps[get_cpu()];
	unsigned long flags;
	int ret = 0;

	/* HV_X64_MSR_EOI is the APIC's EOI: the in-service interrupt ends. */
	if (msr == HV_X64_MSR_EOI) {
		if (val >> 32)		/* RsvdZ */
			atomic64_inc(&sim.rsvd_violations);
		eoi(vp);
		put_cpu();
		return 0;
	}
	spin_lock_irqsave(&vp->lock, flags);
	switch (msr) {
	case HV_X64_MSR_SCONTROL:
		vp->scontrol = keep_rsvdp(vp->scontrol, val, SCONTROL_RSVDP);
		break;
	case HV_X64_MSR_SVERSION:
		ret = -EIO;		/* read-only: #GP */
		break;
	case HV_X64_MSR_SIEFP:
		vp->siefp = keep_rsvdp(vp->siefp, val, PAGE_RSVDP);
		vp->event_page = map_page(vp->siefp);
		break;
	case HV_X64_MSR_SIMP:
		vp->simp = keep_rsvdp(vp->simp, val, PAGE_RSVDP);
		vp->msg_page = map_page(vp->simp);
		break;
	case HV_X64_MSR_EOM:
		if (val)		/* RsvdZ */
			atomic64_inc(&sim.rsvd_violations);
		vp->eoms++;
		scan(vp);
		break;
	default:
		if ((val & SINT_VECTOR) < HV_SYNIC_FIRST_VALID_VECTOR &&
		    !(val & SINT_MASKED)) {
			ret = -EIO;	/* invalid vector: #GP */
			break;
		}
		vp->sint[msr - HV_X64_MSR_SINT0] =
			keep_rsvdp(vp->sint[msr - HV_X64_MSR_SINT0], val, SINT_RSVDP);
		break;
	}
	spin_unlock_irqrestore(&vp->lock, flags);
	put_cpu();
	return ret;
}

u16 sim_synic_post(unsigned int vpi, unsigned int sint, u32 type,
		   const void *payload, u32 size, u64 sender)
{
	struct sim_vp *vp = vp_of(vpi);
	struct sim_qmsg *m;
	unsigned long flags;
	u16 status = HV_STATUS_SUCCESS;

	if (!vp)
		return SIM_HV_STATUS_INVALID_VP_INDEX;
	/* The size is the header's claim (a u8); at most 240 bytes follow. */
	if (sint >= NR_SINT || size > U8_MAX || type == HVMSG_NONE)
		return HV_STATUS_INVALID_PARAMETER;
	m = kzalloc(sizeof(*m), GFP_ATOMIC);
	if (!m)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	m->msg.header.message_type = type;
	m->msg.header.payload_size = size;
	m->msg.header.sender = sender;
	memcpy(&m->msg.u, payload, min_t(u32, size, HV_MESSAGE_PAYLOAD_BYTE_COUNT));

	spin_lock_irqsave(&vp->lock, flags);
	if (!(vp->scontrol & SCONTROL_ENABLE) || !vp->msg_page) {
		/* "Virtual processors whose SynIC or SIM page is disabled ..." */
		status = SIM_HV_STATUS_INVALID_SYNIC_STATE;
	} else if (vp->queued[sint] >= READ_ONCE(queue_limit)) {
		status = HV_STATUS_INSUFFICIENT_BUFFERS;
	} else {
		list_add_tail(&m->node, &vp->queue[sint]);
		vp->queued[sint]++;
		vp->posted++;
		m = NULL;
		try_deliver(vp, sint);	/* trigger: another buffer queued */
	}
	spin_unlock_irqrestore(&vp->lock, flags);
	kfree(m);
	return status;
}

u16 sim_synic_signal(unsigned int vpi, unsigned int sint, unsigned int flag)
{
	struct sim_vp *vp = vp_of(vpi);
	unsigned long flags;
	u16 status = HV_STATUS_SUCCESS;

	if (!vp)
		return SIM_HV_STATUS_INVALID_VP_INDEX;
	if (sint >= NR_SINT || flag >= HV_EVENT_FLAGS_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	spin_lock_irqsave(&vp->lock, flags);
	if (!(vp->scontrol & SCONTROL_ENABLE) || !vp->event_page ||
	    (vp->sint[sint] & SINT_MASKED)) {
		status = SIM_HV_STATUS_INVALID_SYNIC_STATE;
	} else {
		vp->signals++;
		if (!test_and_set_bit(flag, vp->event_page[sint].flags))
			raise(vp, sint);
	}
	spin_unlock_irqrestore(&vp->lock, flags);
	return status;
}

static bool has_room(struct sim_vp *vp, unsigned int sint)
{
	unsigned long flags;
	bool room;

	spin_lock_irqsave(&vp->lock, flags);
	room = vp->queued[sint] < READ_ONCE(queue_limit);
	spin_unlock_irqrestore(&vp->lock, flags);
	return room;
}

void sim_synic_wait_room(unsigned int vpi, unsigned int sint, unsigned int ms)
{
	struct sim_vp *vp = vp_of(vpi);

	if (vp && sint < NR_SINT)
		wait_event_timeout(vp->room, has_room(vp, sint), msecs_to_jiffies(ms));
}

bool sim_synic_drained(unsigned int vpi, unsigned int sint)
{
	struct sim_vp *vp = vp_of(vpi);
	unsigned long flags;
	bool drained;

	if (!vp || sint >= NR_SINT)
		return true;
	spin_lock_irqsave(&vp->lock, flags);
	drained = !vp->queued[sint];
	if (drained && vp->msg_page)
		drained = READ_ONCE(vp->msg_page->sint_message[sint].header.message_type) ==
			  HVMSG_NONE;
	spin_unlock_irqrestore(&vp->lock, flags);
	return drained;
}

int sim_sint_handler_install(void (*handler)(void), u8 *vector)
{
	if (!sint_irq)
		return -EOPNOTSUPP;
	if (READ_ONCE(sim_handler))
		return -EBUSY;
	WRITE_ONCE(sim_handler, handler);
	*vector = sint_vector;
	return 0;
}

void sim_sint_handler_remove(void)
{
	/* The caller waits for a grace period: fire() runs with IRQs off. */
	WRITE_ONCE(sim_handler, NULL);
}

/* ---- debugfs: per-VP state and the guest-side helpers for model tests ---- */

static int vp_show(struct seq_file *sf, void *unused)
{
	struct sim_vp *vp = sf->private;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&vp->lock, flags);
	seq_printf(sf, "scontrol 0x%016llx\nsimp 0x%016llx\nsiefp 0x%016llx\n",
		   vp->scontrol, vp->simp, vp->siefp);
	for (i = 0; i < NR_SINT; i++)
		seq_printf(sf, "sint%u 0x%016llx\n", i, vp->sint[i]);
	for (i = 0; i < NR_SINT; i++)
		seq_printf(sf, "queued%u %u\n", i, vp->queued[i]);
	seq_printf(sf, "posted %llu\ndelivered %llu\npending_set %llu\ninterrupts %llu\n",
		   vp->posted, vp->delivered, vp->pending_set, vp->interrupts);
	seq_printf(sf, "polled %llu\nmasked_lost %llu\nno_handler %llu\nblocked %llu\n",
		   vp->polled, vp->masked_lost, vp->no_handler, vp->blocked);
	seq_printf(sf, "eoms %llu\neois %llu\nsignals %llu\nin_service %d\n",
		   vp->eoms, vp->eois, vp->signals, vp->in_service);
	spin_unlock_irqrestore(&vp->lock, flags);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vp);

static DEFINE_MUTEX(cmd_lock);
static char cmd_result[128];
static unsigned long test_pages;	/* two pages for model-only tests */

struct msr_call {
	u32 msr;
	u64 val;
	int ret;
};

static void rdmsr_on(void *data)
{
	struct msr_call *c = data;

	c->ret = sim_read_msr(c->msr, &c->val);
}

static void wrmsr_on(void *data)
{
	struct msr_call *c = data;

	c->ret = sim_write_msr(c->msr, c->val);
}

static int cmd_msr(bool write, unsigned int cpu, u32 msr, u64 val)
{
	struct msr_call c = { .msr = msr, .val = val };
	int ret;

	ret = smp_call_function_single(cpu, write ? wrmsr_on : rdmsr_on, &c, 1);
	if (ret)
		return ret;
	scnprintf(cmd_result, sizeof(cmd_result), "ret=%d value=0x%016llx\n", c.ret, c.val);
	return 0;
}

/* Guest-side slot actions, done the way the TLFS recommends to a guest. */
static int cmd_slot(bool release, unsigned int cpu, unsigned int sint)
{
	struct sim_vp *vp = vp_of(cpu);
	struct hv_message *slot;
	unsigned long flags;
	u64 seq = 0;
	u32 type;
	u8 fl;

	if (!vp || sint >= NR_SINT)
		return -EINVAL;
	spin_lock_irqsave(&vp->lock, flags);
	if (!vp->msg_page) {
		spin_unlock_irqrestore(&vp->lock, flags);
		return -ENXIO;
	}
	slot = &vp->msg_page->sint_message[sint];
	if (release) {
		type = xchg(&slot->header.message_type, HVMSG_NONE);
		fl = READ_ONCE(slot->header.message_flags.asu8);
	} else {
		type = READ_ONCE(slot->header.message_type);
		fl = READ_ONCE(slot->header.message_flags.asu8);
	}
	memcpy(&seq, &slot->u, sizeof(seq));
	scnprintf(cmd_result, sizeof(cmd_result), "type=0x%08x size=%u pending=%u seq=%llu\n",
		  type, slot->header.payload_size, fl & 1, seq);
	spin_unlock_irqrestore(&vp->lock, flags);
	return 0;
}

static int cmd_flag(bool clear, unsigned int cpu, unsigned int sint, unsigned int flag)
{
	struct sim_vp *vp = vp_of(cpu);
	unsigned long flags;
	int was;

	if (!vp || sint >= NR_SINT || flag >= HV_EVENT_FLAGS_COUNT)
		return -EINVAL;
	spin_lock_irqsave(&vp->lock, flags);
	if (!vp->event_page) {
		spin_unlock_irqrestore(&vp->lock, flags);
		return -ENXIO;
	}
	if (clear)
		was = test_and_clear_bit(flag, vp->event_page[sint].flags);
	else
		was = test_bit(flag, vp->event_page[sint].flags);
	spin_unlock_irqrestore(&vp->lock, flags);
	scnprintf(cmd_result, sizeof(cmd_result), "set=%d\n", was);
	return 0;
}

static int run_cmd(char *buf)
{
	unsigned int a, b, c, d;
	unsigned long long x, y;

	if (sscanf(buf, "rdmsr %u %x", &a, &b) == 2)
		return cmd_msr(false, a, b, 0);
	if (sscanf(buf, "wrmsr %u %x %llx", &a, &b, &x) == 3)
		return cmd_msr(true, a, b, x);
	if (sscanf(buf, "slot %u %u", &a, &b) == 2)
		return cmd_slot(false, a, b);
	if (sscanf(buf, "release %u %u", &a, &b) == 2)
		return cmd_slot(true, a, b);
	if (sscanf(buf, "flag %u %u %u", &a, &b, &c) == 3)
		return cmd_flag(false, a, b, c);
	if (sscanf(buf, "clear %u %u %u", &a, &b, &c) == 3)
		return cmd_flag(true, a, b, c);
	if (sscanf(buf, "post %u %u %x %u %llu", &a, &b, &c, &d, &y) == 5) {
		u8 payload[HV_MESSAGE_PAYLOAD_BYTE_COUNT] = { 0 };

		memcpy(payload, &y, sizeof(y));
		scnprintf(cmd_result, sizeof(cmd_result), "status=0x%04x\n",
			  sim_synic_post(a, b, c, payload, d, 0));
		return 0;
	}
	if (sscanf(buf, "signal %u %u %u", &a, &b, &c) == 3) {
		scnprintf(cmd_result, sizeof(cmd_result), "status=0x%04x\n",
			  sim_synic_signal(a, b, c));
		return 0;
	}
	if (!strncmp(buf, "pages", 5)) {
		if (!test_pages)
			test_pages = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
		if (!test_pages)
			return -ENOMEM;
		x = __pa(test_pages);
		scnprintf(cmd_result, sizeof(cmd_result), "sim=0x%llx sief=0x%llx\n",
			  x, x + PAGE_SIZE);
		return 0;
	}
	return -EINVAL;
}

static ssize_t cmd_write(struct file *f, const char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	char buf[96];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	mutex_lock(&cmd_lock);
	ret = run_cmd(buf);
	mutex_unlock(&cmd_lock);
	return ret ?: len;
}

static ssize_t cmd_read(struct file *f, char __user *ubuf, size_t len, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&cmd_lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, cmd_result, strlen(cmd_result));
	mutex_unlock(&cmd_lock);
	return ret;
}

static const struct file_operations cmd_fops = {
	.owner = THIS_MODULE,
	.write = cmd_write,
	.read = cmd_read,
	.llseek = default_llseek,
};

void sim_synic_debugfs(struct dentry *parent)
{
	struct dentry *dir = debugfs_create_dir("synic", parent);
	unsigned int cpu;
	char name[16];

	for_each_possible_cpu(cpu) {
		snprintf(name, sizeof(name), "cpu%u", cpu);
		debugfs_create_file(name, 0400, dir, &vps[cpu], &vp_fops);
	}
	debugfs_create_u32("queue_limit", 0600, dir, &queue_limit);
	debugfs_create_file("cmd", 0600, dir, NULL, &cmd_fops);
}

/* One line per VP; how many of its SCONTROL, SIMP, SIEFP, SINT2 are on. */
unsigned int sim_synic_report(const char *when)
{
	unsigned int cpu, on = 0;

	for_each_possible_cpu(cpu) {
		struct sim_vp *vp = &vps[cpu];
		u64 sint = vp->sint[VMBUS_MESSAGE_SINT];

		on += !!(vp->scontrol & SCONTROL_ENABLE) + !!(vp->simp & PAGE_ENABLE) +
		      !!(vp->siefp & PAGE_ENABLE) + !(sint & SINT_MASKED);
		pr_info("%s: VP%u SCONTROL=0x%llx SIMP=0x%llx SIEFP=0x%llx SINT%u=0x%llx\n",
			when, cpu, vp->scontrol, vp->simp, vp->siefp, VMBUS_MESSAGE_SINT, sint);
	}
	return on;
}

/*
 * Processor reset (TLFS "SynIC MSRs"): SCONTROL, SIEFP and SIMP 0, the
 * SINTs masked, the queues empty.  Interrupts are off on the one CPU left.
 */
void sim_synic_reset(void)
{
	struct sim_qmsg *m, *tmp;
	unsigned int cpu, i;

	for_each_possible_cpu(cpu) {
		struct sim_vp *vp = &vps[cpu];

		spin_lock(&vp->lock);
		vp->scontrol = 0;
		vp->simp = 0;
		vp->siefp = 0;
		vp->msg_page = NULL;
		vp->event_page = NULL;
		for (i = 0; i < NR_SINT; i++) {
			vp->sint[i] = SINT_RESET;
			list_for_each_entry_safe(m, tmp, &vp->queue[i], node) {
				list_del(&m->node);
				kfree(m);
			}
			vp->queued[i] = 0;
		}
		vp->irr = 0;
		vp->in_service = false;
		spin_unlock(&vp->lock);
		wake_up(&vp->room);
	}
}

/* What Linux's hv_synic_enable_regs() leaves on every VP. */
static int own_all(void)
{
	unsigned int cpu;

	owner_pages = kcalloc(2 * nr_cpu_ids, sizeof(*owner_pages), GFP_KERNEL);
	if (!owner_pages)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct sim_vp *vp = &vps[cpu];
		unsigned long *p = &owner_pages[2 * cpu];

		p[0] = get_zeroed_page(GFP_KERNEL);
		p[1] = get_zeroed_page(GFP_KERNEL);
		if (!p[0] || !p[1])
			return -ENOMEM;
		vp->simp = __pa(p[0]) | PAGE_ENABLE;
		vp->siefp = __pa(p[1]) | PAGE_ENABLE;
		vp->msg_page = (void *)p[0];
		vp->event_page = (void *)p[1];
		vp->sint[VMBUS_MESSAGE_SINT] = 0xf3 | SINT_AUTO_EOI;
		vp->scontrol = SCONTROL_ENABLE;
	}
	return 0;
}

static void free_owner_pages(void)
{
	unsigned int i;

	if (!owner_pages)
		return;
	for (i = 0; i < 2 * nr_cpu_ids; i++)
		free_page(owner_pages[i]);
	kfree(owner_pages);
	owner_pages = NULL;
}

int sim_synic_init(void)
{
	unsigned int cpu, i;
	int ret;

	if (sint_vector < HV_SYNIC_FIRST_VALID_VECTOR || sint_vector > 255) {
		pr_err("hypervive_sim: sint_vector=%u: must be 16-255\n", sint_vector);
		return -EINVAL;
	}
	vps = kcalloc(nr_cpu_ids, sizeof(*vps), GFP_KERNEL);
	if (!vps)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct sim_vp *vp = &vps[cpu];

		spin_lock_init(&vp->lock);
		vp->cpu = cpu;
		for (i = 0; i < NR_SINT; i++) {
			vp->sint[i] = SINT_RESET;
			INIT_LIST_HEAD(&vp->queue[i]);
		}
		init_irq_work(&vp->iw, fire_iw);
		INIT_CSD(&vp->csd, fire_csd, vp);
		init_waitqueue_head(&vp->room);
	}
	if (!synic_owned)
		return 0;
	ret = own_all();
	if (ret) {
		free_owner_pages();
		kfree(vps);
	}
	return ret;
}

void sim_synic_exit(void)
{
	struct sim_qmsg *m, *tmp;
	unsigned int cpu, i;

	for_each_possible_cpu(cpu) {
		struct sim_vp *vp = &vps[cpu];

		irq_work_sync(&vp->iw);
		/* The IPI code unlocks the csd with a release store. */
		while (smp_load_acquire(&vp->csd.node.u_flags) & CSD_FLAG_LOCK)
			cpu_relax();
		for (i = 0; i < NR_SINT; i++)
			list_for_each_entry_safe(m, tmp, &vp->queue[i], node)
				kfree(m);
	}
	/* An IPI's function may still run after its csd was unlocked. */
	synchronize_rcu();
	kfree(vps);
	free_pages(test_pages, 1);
	free_owner_pages();
}
