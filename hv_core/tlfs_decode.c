// SPDX-License-Identifier: GPL-2.0
/*
 * Bit names of the Hyper-V CPUID leaves.
 *
 * Sources: TLFS "Feature and Interface Discovery", and the
 * kernel's asm/hyperv-tlfs.h for what the TLFS omits (the partition
 * privilege mask, leaf 0x40000007 and 0x4000000C).  hypervive_core checks
 * the overlapping bits against the kernel header at build time.
 */
#include "tlfs_decode.h"

#define B(n, s) { .bit = (n), .name = (s) }
#define TABLE(var, desc, arr) \
	const struct hypervive_bit_table var = { desc, arr, ARRAY_SIZE(arr) }

/* HV_PARTITION_PRIVILEGE_MASK: bits 0-31 from EAX, 32-63 from EBX. */
static const struct hypervive_bit_name privileges[] = {
	B(0, "AccessVpRunTimeReg"),
	B(1, "AccessPartitionReferenceCounter"),
	B(2, "AccessSynicRegs"),
	B(3, "AccessSyntheticTimerRegs"),
	B(4, "AccessIntrCtrlRegs"),
	B(5, "AccessHypercallMsrs"),
	B(6, "AccessVpIndex"),
	B(7, "AccessResetReg"),
	B(8, "AccessStatsReg"),
	B(9, "AccessPartitionReferenceTsc"),
	B(10, "AccessGuestIdleReg"),
	B(11, "AccessFrequencyRegs"),
	B(12, "AccessDebugRegs"),
	B(13, "AccessReenlightenmentControls"),
	B(14, "AccessRootSchedulerReg"),
	B(15, "AccessTscInvariantControls"),
	B(32, "CreatePartitions"),
	B(33, "AccessPartitionId"),
	B(34, "AccessMemoryPool"),
	B(35, "AdjustMessageBuffers"),
	B(36, "PostMessages"),
	B(37, "SignalEvents"),
	B(38, "CreatePort"),
	B(39, "ConnectPort"),
	B(40, "AccessStats"),
	B(43, "Debugging"),
	B(44, "CpuManagement"),
	B(48, "AccessVSM"),
	B(49, "AccessVpRegisters"),
	B(52, "EnableExtendedHypercalls"),
	B(53, "StartVirtualProcessor"),
	B(54, "Isolation"),
};

TABLE(hypervive_tbl_privileges, "privileges", privileges);

static const struct hypervive_bit_name features_ecx[] = {
	B(5, "InvariantMperf"),
	B(6, "SupervisorShadowStack"),
	B(7, "ArchitecturalPmu"),
	B(8, "ExceptionTrapIntercept"),
};

TABLE(hypervive_tbl_features_ecx, "features_ecx", features_ecx);

static const struct hypervive_bit_name features_edx[] = {
	B(0, "MwaitDeprecated"),
	B(1, "GuestDebugging"),
	B(2, "PerfMonitor"),
	B(3, "CpuDynamicPartitioning"),
	B(4, "XmmHypercallInput"),
	B(5, "GuestIdleState"),
	B(6, "HypervisorSleepState"),
	B(7, "NumaDistanceQuery"),
	B(8, "TimerFrequencies"),
	B(9, "SyntheticMachineCheck"),
	B(10, "GuestCrashMsrs"),
	B(11, "DebugMsrs"),
	B(12, "Npiep"),
	B(13, "DisableHypervisor"),
	B(14, "ExtendedGvaRangesForFlush"),
	B(15, "XmmHypercallOutput"),
	B(17, "SintPollingMode"),
	B(18, "HypercallMsrLock"),
	B(19, "DirectSyntheticTimers"),
	B(20, "VsmPatRegister"),
	B(21, "VsmBndcfgsRegister"),
	B(23, "SyntheticTimeUnhaltedTimer"),
	B(26, "IntelLbr"),
};

TABLE(hypervive_tbl_features_edx, "features_edx", features_edx);

static const struct hypervive_bit_name recommendations[] = {
	B(0, "HypercallAddressSpaceSwitch"),
	B(1, "HypercallLocalTlbFlush"),
	B(2, "HypercallRemoteTlbFlush"),
	B(3, "MsrApicAccess"),
	B(4, "MsrSystemReset"),
	B(5, "RelaxedTiming"),
	B(6, "DmaRemapping"),
	B(7, "InterruptRemapping"),
	B(9, "DeprecateAutoEoi"),
	B(10, "SyntheticClusterIpi"),
	B(11, "ExProcessorMasks"),
	B(12, "Nested"),
	B(13, "IntForMbecSyscalls"),
	B(14, "EnlightenedVmcs"),
	B(15, "UseSyncedTimeline"),
	B(17, "UseDirectLocalFlushEntire"),
	B(18, "NoNonArchitecturalCoreSharing"),
};

TABLE(hypervive_tbl_recommendations, "recommendations", recommendations);

/* Bits 13-10 are the nesting level, a number: callers mask them out. */
static const struct hypervive_bit_name hw_features[] = {
	B(0, "ApicOverlayAssist"),
	B(1, "MsrBitmaps"),
	B(2, "ArchitecturalPerfCounters"),
	B(3, "SecondLevelAddressTranslation"),
	B(4, "DmaRemapping"),
	B(5, "InterruptRemapping"),
	B(6, "MemoryPatrolScrubber"),
	B(7, "DmaProtection"),
	B(8, "HpetRequested"),
	B(9, "SyntheticTimersVolatile"),
	B(14, "PhysicalDestinationModeRequired"),
	B(16, "HardwareMemoryZeroing"),
	B(17, "UnrestrictedGuest"),
	B(18, "ResourceAllocation"),
	B(19, "ResourceMonitoring"),
	B(20, "GuestVirtualPmu"),
	B(21, "GuestVirtualLbr"),
	B(22, "GuestVirtualIpt"),
	B(23, "ApicEmulation"),
	B(24, "AcpiWdat"),
};

TABLE(hypervive_tbl_hw_features, "hw_features", hw_features);

static const struct hypervive_bit_name cpu_mgmt[] = {
	B(0, "StartLogicalProcessor"),
	B(1, "CreateRootVirtualProcessor"),
	B(2, "PerformanceCounterSync"),
	B(31, "ReservedIdentityBit"),
};

TABLE(hypervive_tbl_cpu_mgmt, "cpu_management", cpu_mgmt);

static const struct hypervive_bit_name nested_eax[] = {
	B(2, "AccessSynicRegs"),
	B(4, "AccessIntrCtrlRegs"),
	B(5, "AccessHypercallMsrs"),
	B(6, "AccessVpIndex"),
	B(12, "AccessReenlightenmentControls"),
};

TABLE(hypervive_tbl_nested_eax, "nested_eax", nested_eax);

static const struct hypervive_bit_name nested_edx[] = {
	B(4, "XmmRegistersForFastHypercall"),
	B(15, "FastHypercallOutput"),
	B(17, "SintPollingMode"),
};

TABLE(hypervive_tbl_nested_edx, "nested_edx", nested_edx);

/* Bits 15-0 are the enlightened VMCS version range: callers mask them. */
static const struct hypervive_bit_name nested_feat_eax[] = {
	B(17, "DirectVirtualFlush"),
	B(18, "GuestPhysicalAddressFlush"),
	B(19, "EnlightenedMsrBitmap"),
	B(20, "CombineVirtualizationExceptions"),
	B(21, "GuestIa32DebugCtl"),
	B(22, "EnlightenedTlb"),
};

TABLE(hypervive_tbl_nested_feat_eax, "nested_features_eax", nested_feat_eax);

static const struct hypervive_bit_name nested_feat_ebx[] = {
	B(0, "EvmcsPerfGlobalCtrl"),
};

TABLE(hypervive_tbl_nested_feat_ebx, "nested_features_ebx", nested_feat_ebx);

static const struct hypervive_bit_name isolation_eax[] = {
	B(0, "ParavisorPresent"),
};

TABLE(hypervive_tbl_isolation_eax, "isolation_eax", isolation_eax);

static size_t append(char *buf, size_t len, size_t pos, const char *s)
{
	while (*s && pos + 1 < len)
		buf[pos++] = *s++;
	if (len)
		buf[pos < len ? pos : len - 1] = '\0';
	return pos;
}

static const char *table_name(const struct hypervive_bit_table *tbl,
			      unsigned int bit)
{
	unsigned int i;

	for (i = 0; i < tbl->count; i++)
		if (tbl->bits[i].bit == bit)
			return tbl->bits[i].name;
	return NULL;
}

size_t hypervive_decode_bits(const struct hypervive_bit_table *tbl, u64 value,
			     u64 ignore_mask, char *buf, size_t len)
{
	size_t pos = 0;
	unsigned int bit;

	if (len)
		buf[0] = '\0';
	value &= ~ignore_mask;
	for (bit = 0; bit < 64; bit++) {
		const char *name;
		char unknown[8] = "bit";

		if (!(value & BIT_ULL(bit)))
			continue;
		name = table_name(tbl, bit);
		if (!name) {
			/* "bitN": at most two digits. */
			if (bit >= 10) {
				unknown[3] = '0' + bit / 10;
				unknown[4] = '0' + bit % 10;
			} else {
				unknown[3] = '0' + bit;
			}
			name = unknown;
		}
		if (pos)
			pos = append(buf, len, pos, " ");
		pos = append(buf, len, pos, name);
	}
	return pos;
}

void hypervive_regs_to_ascii(const u32 *regs, unsigned int nregs, char *out)
{
	unsigned int i, b;

	for (i = 0; i < nregs; i++) {
		for (b = 0; b < 4; b++) {
			char c = (char)(regs[i] >> (8 * b));

			/* Keep sysfs and dmesg printable whatever CPUID says. */
			out[i * 4 + b] = (c >= 0x20 && c < 0x7f) ? c : '.';
		}
	}
	out[nregs * 4] = '\0';
}

const char *hypervive_isolation_type_name(unsigned int type)
{
	switch (type) {
	case 0:
		return "none";
	case 1:
		return "vbs";
	case 2:
		return "snp";
	case 3:
		return "tdx";
	default:
		return "unknown";
	}
}
