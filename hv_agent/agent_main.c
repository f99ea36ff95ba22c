// SPDX-License-Identifier: GPL-2.0
/*
 * hypervive_agent: the guest side of the HyperVive agent protocol
 * (docs/PROTOCOL.md) over AF_VSOCK.  It does not need hypervive_core: it
 * runs wherever AF_VSOCK has a transport (hv_sock on Hyper-V, virtio on
 * KVM, vsock_loopback in our tests).
 *
 * This file holds the parameters and the load/unload order.  Unloading
 * thaws first (nothing may stay frozen), then reports AgentStopping, then
 * lets the worker send what is queued and say BYE.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include "agent.h"

struct agent_params agent_param = {
	.cid = HYPERVIVE_PROTO_HOST_CID,
	.port = HYPERVIVE_PROTO_VSOCK_PORT,
	.heartbeat_ms = 5000,
	.queue_len = 256,
	.freeze_timeout_ms = 60000,
	.connect_timeout_ms = 5000,
	.reconnect_min_ms = 1000,
	.reconnect_max_ms = 60000,
	.clock_jump_s = 5,
};

struct agent_stats agent_stats;

/* ---- validated integer parameters ------------------------------------ */

struct uint_range {
	unsigned int *val;
	unsigned int min, max;
};

static int uint_range_set(const char *s, const struct kernel_param *kp)
{
	const struct uint_range *r = kp->arg;
	unsigned int v;
	int ret;

	ret = kstrtouint(s, 0, &v);
	if (ret || v < r->min || v > r->max) {
		pr_err("%s=%s: not a number in %u..%u\n", kp->name, s,
		       r->min, r->max);
		return -EINVAL;
	}
	WRITE_ONCE(*r->val, v);
	return 0;
}

static int uint_range_get(char *buf, const struct kernel_param *kp)
{
	const struct uint_range *r = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*r->val));
}

static const struct kernel_param_ops uint_range_ops = {
	.set = uint_range_set,
	.get = uint_range_get,
};

#define AGENT_UINT_PARAM(name, lo, hi, perm, desc)			\
	static struct uint_range name##_range = {			\
		.val = &agent_param.name, .min = (lo), .max = (hi),	\
	};								\
	module_param_cb(name, &uint_range_ops, &name##_range, perm);	\
	MODULE_PARM_DESC(name, desc)

/* VMADDR_CID_ANY (-1U) is not a peer; 0 is the hypervisor. */
AGENT_UINT_PARAM(cid, 1, 0xfffffffeU, 0444,
		 "vsock CID of the host peer (default 2 = the host; 1 = this guest, for tests)");
AGENT_UINT_PARAM(port, 1, 0xfffffffeU, 0444,
		 "vsock port of the host peer (default 2761 = 0xAC9; Hyper-V service GUID 00000ac9-facb-11e6-bd58-64006a7986d3)");
AGENT_UINT_PARAM(heartbeat_ms, HYPERVIVE_PROTO_HB_MS_MIN,
		 HYPERVIVE_PROTO_HB_MS_MAX, 0444,
		 "heartbeat period in ms, 100..600000 (default 5000)");
AGENT_UINT_PARAM(queue_len, 1, 65536, 0444,
		 "events kept until the host acknowledges them, 1..65536 (default 256); more are counted and reported as event 4203");
AGENT_UINT_PARAM(freeze_timeout_ms, 1, HYPERVIVE_PROTO_FREEZE_MS_MAX, 0644,
		 "automatic thaw after this many ms when a FREEZE names no timeout, 1..3600000 (default 60000); writable");
AGENT_UINT_PARAM(connect_timeout_ms, 100, 60000, 0444,
		 "give up a connection attempt after this many ms, 100..60000 (default 5000)");
AGENT_UINT_PARAM(reconnect_min_ms, 100, 3600000, 0444,
		 "first reconnect delay in ms, doubled per failure up to reconnect_max_ms, with jitter (default 1000)");
AGENT_UINT_PARAM(reconnect_max_ms, 100, 3600000, 0444,
		 "longest reconnect delay in ms (default 60000)");
AGENT_UINT_PARAM(clock_jump_s, 1, 86400, 0644,
		 "report a clock jump (event 4202) when CLOCK_REALTIME moves by more than this many seconds against CLOCK_BOOTTIME between two heartbeat periods (default 5); writable");

static int debug_set(const char *s, const struct kernel_param *kp)
{
	bool v;

	if (kstrtobool(s, &v)) {
		pr_err("debug=%s: not a boolean\n", s);
		return -EINVAL;
	}
	WRITE_ONCE(agent_param.debug, v);
	pr_info("debug %s\n", v ? "on" : "off");
	return 0;
}

static int debug_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(agent_param.debug));
}

static const struct kernel_param_ops debug_ops = {
	.set = debug_set,
	.get = debug_get,
};

module_param_cb(debug, &debug_ops, NULL, 0644);
MODULE_PARM_DESC(debug, "verbose log of connections, frames and freezes (like HyperVive's DebugMode); writable, takes effect at once");

/* ---- load and unload --------------------------------------------------- */

static int __init hypervive_agent_init(void)
{
	char types[AGENT_FREEZE_FS_MAX];
	int ret;

	if (agent_param.reconnect_min_ms > agent_param.reconnect_max_ms) {
		pr_err("reconnect_min_ms=%u is above reconnect_max_ms=%u\n",
		       agent_param.reconnect_min_ms,
		       agent_param.reconnect_max_ms);
		return -EINVAL;
	}
	ret = agent_ident_init();
	if (ret)
		return ret;
	ret = agent_queue_init(agent_param.queue_len);
	if (ret)
		return ret;
	ret = agent_fs_init();
	if (ret)
		goto err_queue;
	ret = agent_sysfs_init();
	if (ret)
		goto err_fs;
	agent_freeze_fs_get(types, sizeof(types));
	agent_event(HYPERVIVE_PROTO_EV_AGENT_STARTED, 0, 0, NULL, 0,
		    "hypervive_agent %s: cid=%u port=%u heartbeat_ms=%u queue_len=%u freeze_fs=%s freeze_timeout_ms=%u",
		    HYPERVIVE_VERSION, agent_param.cid, agent_param.port,
		    agent_param.heartbeat_ms, agent_param.queue_len,
		    types[0] ? types : "(none)", agent_param.freeze_timeout_ms);
	ret = agent_restore_init();
	if (ret)
		goto err_sysfs;
	ret = agent_conn_start();
	if (ret)
		goto err_restore;
	agent_debugfs_init();
	pr_info("%s: host vsock:%u:%u, heartbeat %u ms, queue %u, freeze_fs %s, restore detection %s\n",
		HYPERVIVE_VERSION, agent_param.cid, agent_param.port,
		agent_param.heartbeat_ms, agent_param.queue_len,
		types[0] ? types : "(none)",
		agent_restore_has_vmgenid() ? "vmgenid+clock" : "clock");
	return 0;

err_restore:
	agent_restore_exit();
err_sysfs:
	agent_sysfs_exit();
err_fs:
	agent_fs_exit();
err_queue:
	agent_queue_exit();
	return ret;
}

static void __exit hypervive_agent_exit(void)
{
	struct agent_queue_info qi;

	agent_debugfs_exit();
	agent_restore_exit();
	agent_fs_exit();
	agent_queue_info(&qi);
	agent_event(HYPERVIVE_PROTO_EV_AGENT_STOPPING, 0, qi.depth, NULL, 0,
		    "module unloading with %u events queued", qi.depth);
	agent_conn_stop();
	agent_sysfs_exit();
	agent_queue_info(&qi);
	agent_queue_exit();
	pr_info("unloaded; %u events not acknowledged by the host were dropped\n",
		qi.depth);
}

module_init(hypervive_agent_init);
module_exit(hypervive_agent_exit);
MODULE_DESCRIPTION("HyperVive Guest: agent over AF_VSOCK (heartbeats, checkpoint consistency, restore detection)");
MODULE_LICENSE("GPL");
MODULE_VERSION(HYPERVIVE_VERSION);
MODULE_IMPORT_NS("HYPERVIVE");
