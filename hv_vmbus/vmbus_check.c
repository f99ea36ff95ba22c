// SPDX-License-Identifier: GPL-2.0
/*
 * vmbus_proto.[ch] keep their own copies of the kernel's layouts and
 * tables so the unit tests can build them in user space.  Here they are
 * held against linux/hyperv.h and asm-generic/hyperv-tlfs.h: layouts at
 * build time, the version list and the class GUIDs at load.
 */
#include <linux/build_bug.h>
#include <linux/hyperv.h>
#include <linux/mod_devicetable.h>
#include <linux/stddef.h>
#include <hypervive/tlfs.h>
#include "vmbus.h"

/* Two enums of different types: compare them as numbers. */
#define SAME_VALUE(a, b) static_assert((int)(a) == (int)(b))
#define SAME_OFFSET(ours, theirs, f1, f2) \
	static_assert(offsetof(ours, f1) == offsetof(theirs, f2))

static_assert(sizeof(struct hvv_message) == sizeof(struct hv_message));
static_assert(sizeof(struct hvv_msg_header) == sizeof(struct hv_message_header));
SAME_OFFSET(struct hvv_msg_header, struct hv_message_header, payload_size, payload_size);
SAME_OFFSET(struct hvv_msg_header, struct hv_message_header, message_flags, message_flags);
SAME_OFFSET(struct hvv_msg_header, struct hv_message_header, sender, sender);
static_assert(HVV_MSG_SIZE == HVT_MESSAGE_SIZE);
static_assert(HVV_PAYLOAD_MAX == HVT_MESSAGE_PAYLOAD_BYTE_COUNT);
static_assert(HVV_MAX_RELID + 1 == HVT_EVENT_FLAGS_COUNT);

static_assert(sizeof(struct hvv_chan_hdr) == sizeof(struct vmbus_channel_message_header));
static_assert(sizeof(struct hvv_guid) == sizeof(guid_t));
static_assert(sizeof(struct hvv_offer) == sizeof(struct vmbus_channel_offer));
SAME_OFFSET(struct hvv_offer, struct vmbus_channel_offer, chn_flags, chn_flags);
SAME_OFFSET(struct hvv_offer, struct vmbus_channel_offer, user_def, u.pipe.pipe_mode);
SAME_OFFSET(struct hvv_offer, struct vmbus_channel_offer, sub_channel_index,
	    sub_channel_index);
static_assert(sizeof(struct hvv_offer_channel) == sizeof(struct vmbus_channel_offer_channel));
SAME_OFFSET(struct hvv_offer_channel, struct vmbus_channel_offer_channel, child_relid,
	    child_relid);
SAME_OFFSET(struct hvv_offer_channel, struct vmbus_channel_offer_channel, monitorid,
	    monitorid);
SAME_OFFSET(struct hvv_offer_channel, struct vmbus_channel_offer_channel, connection_id,
	    connection_id);
static_assert(sizeof(struct hvv_rescind_offer) == sizeof(struct vmbus_channel_rescind_offer));
static_assert(sizeof(struct hvv_initiate_contact) == sizeof(struct vmbus_channel_initiate_contact));
SAME_OFFSET(struct hvv_initiate_contact, struct vmbus_channel_initiate_contact,
	    target_vcpu, target_vcpu);
SAME_OFFSET(struct hvv_initiate_contact, struct vmbus_channel_initiate_contact,
	    interrupt_page, msg_sint);
SAME_OFFSET(struct hvv_initiate_contact, struct vmbus_channel_initiate_contact,
	    monitor_page2, monitor_page2);
static_assert(sizeof(struct hvv_version_response) == sizeof(struct vmbus_channel_version_response));
SAME_OFFSET(struct hvv_version_response, struct vmbus_channel_version_response,
	    msg_conn_id, msg_conn_id);

SAME_VALUE(HVV_CHANMSG_OFFERCHANNEL, CHANNELMSG_OFFERCHANNEL);
SAME_VALUE(HVV_CHANMSG_RESCIND_CHANNELOFFER, CHANNELMSG_RESCIND_CHANNELOFFER);
SAME_VALUE(HVV_CHANMSG_REQUESTOFFERS, CHANNELMSG_REQUESTOFFERS);
SAME_VALUE(HVV_CHANMSG_ALLOFFERS_DELIVERED, CHANNELMSG_ALLOFFERS_DELIVERED);
SAME_VALUE(HVV_CHANMSG_INITIATE_CONTACT, CHANNELMSG_INITIATE_CONTACT);
SAME_VALUE(HVV_CHANMSG_VERSION_RESPONSE, CHANNELMSG_VERSION_RESPONSE);
SAME_VALUE(HVV_CHANMSG_UNLOAD, CHANNELMSG_UNLOAD);
SAME_VALUE(HVV_CHANMSG_UNLOAD_RESPONSE, CHANNELMSG_UNLOAD_RESPONSE);
SAME_VALUE(HVV_CHANMSG_TL_CONNECT_REQUEST, CHANNELMSG_TL_CONNECT_REQUEST);
/*
 * VMBus 5.3 came to linux/hyperv.h in 5.12, with its version number and the
 * MODIFYCHANNEL_RESPONSE message (an enum member: no #ifdef sees it).  An
 * older header's list is shorter than ours.
 */
#ifdef VERSION_WIN10_V5_3
SAME_VALUE(HVV_CHANMSG_MODIFYCHANNEL_RESPONSE, CHANNELMSG_MODIFYCHANNEL_RESPONSE);
SAME_VALUE(HVV_CHANMSG_COUNT, CHANNELMSG_COUNT);
static_assert(HVV_VERSION_NEWEST == VERSION_WIN10_V5_3);
#endif
static_assert(HVV_VERSION_WIN10_V5 == VERSION_WIN10_V5);
static_assert(HVV_VERSION_WIN8_1 == VERSION_WIN8_1);
static_assert(HVV_VERSION_WIN8 == VERSION_WIN8);
static_assert(HVV_CHN_NAMED_PIPE_MODE == VMBUS_CHANNEL_NAMED_PIPE_MODE);
static_assert(HVV_CHN_LOOPBACK_OFFER == VMBUS_CHANNEL_LOOPBACK_OFFER);
static_assert(HVV_CHN_PARENT_OFFER == VMBUS_CHANNEL_PARENT_OFFER);
static_assert(HVV_CHN_REQUEST_MONITORED_NOTIFICATION ==
	      VMBUS_CHANNEL_REQUEST_MONITORED_NOTIFICATION);
static_assert(HVV_CHN_TLNPI_PROVIDER_OFFER == VMBUS_CHANNEL_TLNPI_PROVIDER_OFFER);

/*
 * The kernel's list in drivers/hv/connection.c, newest first; ours may
 * start with versions an older kernel does not know.
 */
static const u32 kernel_versions[] = {
#ifdef VERSION_WIN10_V5_3
	VERSION_WIN10_V5_3,
#endif
	VERSION_WIN10_V5_2, VERSION_WIN10_V5_1, VERSION_WIN10_V5,
	VERSION_WIN10_V4_1, VERSION_WIN10, VERSION_WIN8_1, VERSION_WIN8,
};

/* In the order of hvv_classes[]; an older kernel knows a prefix of ours. */
static const struct hv_vmbus_device_id kernel_classes[] = {
	{ HV_HEART_BEAT_GUID }, { HV_SHUTDOWN_GUID }, { HV_TS_GUID }, { HV_KVP_GUID },
	{ HV_VSS_GUID }, { HV_FCOPY_GUID }, { HV_NIC_GUID }, { HV_IDE_GUID },
	{ HV_SCSI_GUID }, { HV_DM_GUID }, { HV_MOUSE_GUID }, { HV_KBD_GUID },
	{ HV_SYNTHVID_GUID }, { HV_SYNTHFC_GUID }, { HV_ND_GUID }, { HV_PCIE_GUID },
	{ HV_AVMA1_GUID }, { HV_AVMA2_GUID }, { HV_RDV_GUID },
#ifdef HV_IMC_GUID
	{ HV_IMC_GUID },
#endif
};

int hvv_check_kernel_tables(void)
{
	unsigned int i, newer = hvv_nr_versions - ARRAY_SIZE(kernel_versions);

	if (hvv_nr_versions < ARRAY_SIZE(kernel_versions) ||
	    memcmp(hvv_versions + newer, kernel_versions, sizeof(kernel_versions))) {
		pr_err("internal: the version list differs from linux/hyperv.h\n");
		return -EINVAL;
	}
	if (hvv_nr_classes < ARRAY_SIZE(kernel_classes))
		goto bad;
	for (i = 0; i < ARRAY_SIZE(kernel_classes); i++) {
		char s[HVV_GUID_STR_LEN];

		hvv_guid_fmt((const struct hvv_guid *)&kernel_classes[i].guid, s);
		if (strcmp(s, hvv_classes[i].guid))
			goto bad;
	}
	return 0;
bad:
	pr_err("internal: the class GUIDs differ from linux/hyperv.h\n");
	return -EINVAL;
}
