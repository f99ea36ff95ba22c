#!/bin/sh
# The modules DKMS built and installed (selftests/dkms-test.sh) load with
# modprobe from /lib/modules/<ver>/updates/dkms, dependencies from
# modules.dep and options from /etc/modprobe.d.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

dkms_dir=/lib/modules/$(uname -r)/updates/dkms
[ -e "$dkms_dir/hypervive_core.ko" ] || ktap_skip_all "no DKMS-installed modules in this image"
ktap_plan 5
hv_unload_all
# The TLFS model is test-only (never in DKMS): it comes from /hypervive.
hv-insmod "$HV_KO/hypervive_sim.ko"
ktap_check "modprobe hypervive_core" modprobe hypervive_core
ktap_expect_eq "modules.dep pulled in hypervive_common from updates/dkms" \
	"$(modinfo -F filename hypervive_common 2>/dev/null)" "$dkms_dir/hypervive_common.ko"
ktap_expect_eq "options from /etc/modprobe.d applied (mode)" \
	"$(cat /sys/module/hypervive_core/parameters/mode)" observe
ktap_expect_eq "options from /etc/modprobe.d applied (platform)" \
	"$(cat $CORE/platform)" sim
ktap_expect_eq "modinfo shows the suite version" \
	"$(modinfo -F version hypervive_core)" "$(cat /sys/kernel/hypervive/version)"
hv_unload_all
ktap_done
