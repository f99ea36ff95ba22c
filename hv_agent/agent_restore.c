// SPDX-License-Identifier: GPL-2.0
/*
 * Restore detection.  A guest restored from a checkpoint (or cloned) comes
 * back with the memory of the moment the checkpoint was taken: the same boot
 * ID, the same event numbers, maybe filesystems frozen for that checkpoint,
 * and a connection the host closed long ago.  Two signs tell us:
 *
 *  - the VM generation ID changes: the vmgenid driver (CONFIG_VMGENID) calls
 *    add_vmfork_randomness(), whose notifier chain we join;
 *  - CLOCK_REALTIME jumps against CLOCK_BOOTTIME (a restore that brings the
 *    host's time, or simply someone setting the clock): checked once per
 *    heartbeat period, so it costs no wakeups of its own.
 *
 * The notifier only records the fact and wakes the worker; the worker raises
 * event 4201, drops the stale connection (which thaws) and reconnects with
 * renumbered events (docs/PROTOCOL.md 7.3).
 */
#include <linux/kernel.h>
#include <linux/notifier.h>
#include <linux/timekeeping.h>
#include "agent.h"

static atomic_t generation_changed;
static bool registered;
/* CLOCK_REALTIME - CLOCK_BOOTTIME at the last check (worker only). */
static s64 last_offset_ns;
static bool have_offset;

static int vmfork_notify(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	atomic_set(&generation_changed, 1);
	agent_kick();
	return NOTIFY_DONE;
}

static struct notifier_block vmfork_nb = {
	.notifier_call = vmfork_notify,
};

/* How far the wall clock moved against boot time since the last check. */
static s64 clock_moved_ns(void)
{
	s64 off = ktime_get_real_ns() - ktime_get_boottime_ns();
	s64 delta = have_offset ? off - last_offset_ns : 0;

	last_offset_ns = off;
	have_offset = true;
	return delta;
}

void agent_restore_poll(void)
{
	s64 delta = clock_moved_ns();
	s64 limit = (s64)READ_ONCE(agent_param.clock_jump_s) * NSEC_PER_SEC;
	s64 secs = div_s64(delta, NSEC_PER_SEC);

	if (delta <= limit && delta >= -limit)
		return;
	agent_count(clock_jumps);
	pr_warn_ratelimited("the wall clock jumped by %+lld s against boot time\n",
			    secs);
	agent_event(HYPERVIVE_PROTO_EV_CLOCK_JUMP, 0, secs, NULL, 0,
		    "CLOCK_REALTIME moved by %+lld s against CLOCK_BOOTTIME",
		    secs);
}

bool agent_restore_take(void)
{
	s64 secs;

	if (!atomic_xchg(&generation_changed, 0))
		return false;
	/* A jump that came with the restore belongs to it, not to 4202. */
	secs = div_s64(clock_moved_ns(), NSEC_PER_SEC);
	agent_count(restores);
	pr_warn("the VM generation ID changed: restored from a checkpoint or cloned (clock moved %+lld s); reconnecting\n",
		secs);
	agent_event(HYPERVIVE_PROTO_EV_RESTORED, 0, secs, NULL, 0,
		    "the VM generation ID changed: restored from a checkpoint or cloned; clock moved %+lld s",
		    secs);
	return true;
}

bool agent_restore_has_vmgenid(void)
{
	return registered;
}

int agent_restore_init(void)
{
	int ret;

	clock_moved_ns();
	/* Without CONFIG_VMGENID the kernel's stub reports success. */
	if (!IS_ENABLED(CONFIG_VMGENID))
		return 0;	/* the clock check only */
	ret = register_random_vmfork_notifier(&vmfork_nb);
	if (ret == -EOPNOTSUPP)
		return 0;	/* before 5.19: the clock check only */
	if (ret) {
		pr_warn("cannot join the VM generation ID notifier (%d): restores are detected by the clock only\n",
			ret);
		return 0;
	}
	registered = true;
	return 0;
}

void agent_restore_exit(void)
{
	if (registered)
		unregister_random_vmfork_notifier(&vmfork_nb);
	registered = false;
}
