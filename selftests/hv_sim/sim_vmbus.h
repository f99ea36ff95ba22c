/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model's SynIC (sim_synic.c) and VMBus host (sim_vmbus_host.c).
 *
 * SynIC rules come from the TLFS "Inter-Partition Communication" chapter
 * (SIM and SIEF pages, SCONTROL, SVERSION, SIEFP, SIMP, EOM, SINTx at
 * 0x40000090 + x, not the seed table's single address) and the kernel's
 * asm-generic/hyperv-tlfs.h; the VMBus host speaks the channel protocol
 * of linux/hyperv.h.  Neither reads hypervive_vmbus's code.
 */
#ifndef HYPERVIVE_SIM_VMBUS_H
#define HYPERVIVE_SIM_VMBUS_H

#include <linux/types.h>

struct dentry;

/* HV_STATUS codes the 6.1 header lacks (TLFS "Hypercall Status Codes"). */
#define SIM_HV_STATUS_INVALID_VP_INDEX		0x000E
#define SIM_HV_STATUS_INVALID_SYNIC_STATE	0x0018

/* From drivers/hv/hyperv_vmbus.h (not an installed header). */
#define VMBUS_MESSAGE_CONNECTION_ID	1
#define VMBUS_MESSAGE_CONNECTION_ID_4	4
#define VMBUS_EVENT_CONNECTION_ID	2
#define VMBUS_MESSAGE_SINT		2

/* The type VMBus channel messages travel with. */
#define SIM_MSGTYPE_VMBUS	1
/*
 * HyperVive's sequence probe (hv_vmbus/vmbus_proto.h): a guest-range
 * message type whose payload starts with a u64 sequence number.  A test
 * protocol between the model and the module, not part of the TLFS.
 */
#define SIM_MSGTYPE_PROBE	0x48560001

/* sim_synic.c */
int sim_synic_init(void);
void sim_synic_exit(void);
void sim_synic_debugfs(struct dentry *dir);
bool sim_synic_msr(u32 msr);
int sim_synic_read(u32 msr, u64 *val);
int sim_synic_write(u32 msr, u64 val);
/* Host side: queue a message for (vp, sint); an HV_STATUS. */
u16 sim_synic_post(unsigned int vp, unsigned int sint, u32 type,
		   const void *payload, u32 size, u64 sender);
/* Host side: set event flag @flag of (vp, sint); an HV_STATUS. */
u16 sim_synic_signal(unsigned int vp, unsigned int sint, unsigned int flag);
/* Sleep until (vp, sint) may take another message or @ms passed. */
void sim_synic_wait_room(unsigned int vp, unsigned int sint, unsigned int ms);
/* True when (vp, sint) has nothing queued and an empty slot. */
bool sim_synic_drained(unsigned int vp, unsigned int sint);
int sim_sint_handler_install(void (*handler)(void), u8 *vector);
void sim_sint_handler_remove(void);

/* sim_vmbus_host.c */
int sim_host_init(void);
void sim_host_exit(void);
void sim_host_debugfs(struct dentry *dir);
bool sim_host_msg_conn_valid(u32 conn);
/* A guest HvPostMessage that passed the hypercall checks. */
u16 sim_host_post(u32 conn, u32 type, const void *payload, u32 size);
/* A guest HvSignalEvent on @conn; an HV_STATUS. */
u16 sim_host_signal(u32 conn);

#endif /* HYPERVIVE_SIM_VMBUS_H */
