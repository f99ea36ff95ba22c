/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State shared by the files of hypervive_vmbus.  One instance.
 *
 * Flow of a host message: the SINT interrupt (hard IRQ) or the poll timer
 * only schedules work on its CPU; the per-CPU tasklet (or the timer,
 * softirq) copies the SIM slot out, releases it, writes EOM if the host
 * said more is pending, validates the copy, and queues VMBus messages to
 * an ordered workqueue, where the connection and the channel inventory
 * (which allocate and create sysfs files) handle them in arrival order.
 */
#ifndef HYPERVIVE_VMBUS_H
#define HYPERVIVE_VMBUS_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include "vmbus_proto.h"

enum hvv_delivery { HVV_DELIVERY_AUTO, HVV_DELIVERY_INTERRUPT, HVV_DELIVERY_POLL };

enum hvv_cpu_state {
	HVV_CPU_OFF,		/* not set up (offline, or observe mode) */
	HVV_CPU_ON,		/* our SynIC setup is live */
	HVV_CPU_OTHER,		/* another owner had enabled it: left alone */
	HVV_CPU_FAILED,		/* an MSR access failed while setting up */
};

struct hvv_cpu {
	enum hvv_cpu_state state;
	bool enabled;			/* the ISR may schedule the tasklet */
	bool polling;			/* the poll timer re-arms itself */
	bool eom_owed;			/* an EOM failed: the timer retries it */
	bool keep_msg_page, keep_event_page;	/* the hypervisor may still write it */
	struct hvv_message *msg_page;	/* SIM page: 16 slots */
	unsigned long *event_page;	/* SIEF page: 16 x 256 bytes of flags */
	u64 found_scontrol, found_simp, found_siefp, found_sint;
	struct tasklet_struct tasklet;
	struct timer_list poll_timer;
	/* Only this CPU writes these; sysfs reads them racily. */
	u64 interrupts, polls, messages, events, eoms;
};

enum hvv_conn_state {
	HVV_DISCONNECTED,
	HVV_CONNECTING,
	HVV_CONNECTED,
	HVV_UNLOADING,
};

/* Which reply the connection is waiting for (one at a time). */
enum hvv_wait {
	HVV_WAIT_NONE,
	HVV_WAIT_VERSION,
	HVV_WAIT_OFFERS,
	HVV_WAIT_UNLOAD,
};

struct hvv_channel {
	struct kobject kobj;
	struct hvv_offer_info info;
	atomic64_t events;
	struct rcu_head rcu;
};

struct hvv_counters {
	atomic64_t messages;		/* slots taken, any type */
	atomic64_t vmbus;		/* VMBus messages handed to the connection */
	atomic64_t probes;
	atomic64_t events;		/* event flags seen (channel relids) */
	atomic64_t events_protocol;	/* flag 0: the VMBus protocol's own */
	atomic64_t events_unknown;	/* a relid we have no channel for */
	atomic64_t interrupts;
	atomic64_t polls;
	atomic64_t eoms;
	atomic64_t eom_failures;
	atomic64_t handler_ns;		/* time spent per message, summed */
	atomic64_t offers;
	atomic64_t rescinds;
	atomic64_t signals;
	atomic64_t post_failures;
	atomic64_t drops[HVV_NR_VERDICTS];
};

#define HVV_HOST_INT_PAGE	BIT(0)
#define HVV_HOST_MONITORS	BIT(1)

struct hvv_state {
	bool active;
	const char *observe_reason;
	enum hvv_delivery delivery;	/* what is used: INTERRUPT or POLL */
	const char *poll_reason;
	u8 vector;
	bool aeoi;
	unsigned int connect_cpu;
	u32 target_vp;
	int cpuhp_state;
	bool cpus_ready;		/* after the cpuhp setup returned */
	bool away;			/* leave.c: gone for a reboot or a sleep */

	/* connection.c */
	struct mutex conn_lock;
	enum hvv_conn_state conn_state;
	u32 version;
	u32 contact_conn_id;
	u32 msg_conn_id;
	bool offers_requested;
	bool offers_complete;
	spinlock_t wait_lock;		/* wait, resp */
	enum hvv_wait wait;
	struct completion reply;
	struct hvv_version_response resp;
	void *int_page;			/* before 5.0: the interrupt page */
	void *monitor_pages[2];
	/*
	 * The pages INITIATE_CONTACT gave the host (HVV_HOST_*), its to write
	 * until it answers UNLOAD; hvv_conn_exit() keeps what is left here,
	 * host_pages_why says why.
	 */
	unsigned int host_pages;
	const char *host_pages_why;
	spinlock_t inbox_lock;		/* inbox, inbox_len */
	struct list_head inbox;
	unsigned int inbox_len;
	struct work_struct inbox_work;
	struct workqueue_struct *wq;

	/* channels.c */
	struct mutex chan_lock;
	struct hvv_channel __rcu **relid_map;	/* HVV_MAX_RELID + 1 entries */
	unsigned int nr_channels;
	struct kobject *channels_kobj;

	/* vmbus_sysfs.c */
	struct kobject *kobj;
	struct kobject *cpus_kobj;
	struct kobject **cpu_kobjs;

	spinlock_t probe_lock;		/* probe */
	struct hvv_probe_state probe;
	struct hvv_counters ctr;
};

extern struct hvv_state hvv;
DECLARE_PER_CPU(struct hvv_cpu, hvv_cpus);

/* An unsigned parameter within [min, max] (connection.c). */
struct hvv_range {
	unsigned int min, max;
};

struct kernel_param;
int hvv_range_set(const char *val, const struct kernel_param *kp,
		  const struct hvv_range *r);

/* synic.c */
extern unsigned int hvv_poll_ms;	/* the poll_ms parameter */
const char *hvv_cpu_state_name(enum hvv_cpu_state s);
int hvv_synic_alloc(void);
void hvv_synic_free(void);
int hvv_synic_start(void);
void hvv_synic_stop(void);
void hvv_synic_panic_off(void);
void hvv_isr(void);
int hvv_read_cpu_msr(unsigned int cpu, u32 msr, u64 *val);

/* connection.c */
const char *hvv_conn_state_name(enum hvv_conn_state s);
/* Count a dropped message and say why, rate-limited. */
void hvv_drop(enum hvv_verdict v, u32 type, u32 size, u32 msgtype);
int hvv_conn_init(void);
void hvv_conn_exit(void);
void hvv_conn_queue(const struct hvv_message *copy, u32 msgtype);
int hvv_connect(void);
int hvv_request_offers(void);
void hvv_disconnect(void);
int hvv_post(u32 conn, const void *msg, u32 size);

/* leave.c: reboot, kexec, panic, suspend and hibernation */
int hvv_leave_init(void);
void hvv_leave_exit(void);

/* channels.c */
int hvv_channels_init(void);
void hvv_channels_exit(void);
void hvv_channels_clear(void);
int hvv_channel_add(const struct hvv_offer_info *info);
bool hvv_channel_remove(u32 relid);
void hvv_channel_event(u32 relid);
int hvv_channel_signal(u32 relid);

/* vmbus_sysfs.c */
int hvv_sysfs_init(void);
void hvv_sysfs_exit(void);

/* vmbus_check.c */
int hvv_check_kernel_tables(void);

#endif /* HYPERVIVE_VMBUS_H */
