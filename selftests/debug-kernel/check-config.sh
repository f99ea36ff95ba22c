#!/bin/bash
# check-config.sh - fail, naming them, if symbols of a config fragment did
# not survive olddefconfig.  Kconfig drops a requested symbol silently when
# one of its dependencies is off, so "KASAN=y" in the fragment proves nothing
# until the resulting .config says so.
#   check-config.sh FRAGMENT DOTCONFIG
set -euo pipefail
# set -e ends the script at the first failing command: name it (-E: in
# functions too; only this shell, not its subshells, reports).
set -E
errtrap() { [ "$BASHPID" = "$$" ] && echo "check-config: failed (exit $1) at line $2: $3" >&2; }
trap 'errtrap $? $LINENO "$BASH_COMMAND"' ERR
frag=${1:?usage: check-config.sh FRAGMENT DOTCONFIG}
dot=${2:?usage: check-config.sh FRAGMENT DOTCONFIG}

bad=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	sym=${line%%=*} want=${line#*=}
	got=$(grep -E "^$sym=" "$dot" | tail -n1 | cut -d= -f2-) || true
	[ -n "$got" ] || got=n
	if [ "$got" != "$want" ]; then
		echo "check-config: $sym: wanted $want, .config has $got" >&2
		bad=$((bad + 1))
	fi
done <"$frag"
if [ "$bad" -ne 0 ]; then
	echo "check-config: $bad symbol(s) of $frag missing (a dependency is off)" >&2
	exit 1
fi
echo "check-config: all $(grep -c '^CONFIG_' "$frag") symbols of ${frag##*/} set" >&2
