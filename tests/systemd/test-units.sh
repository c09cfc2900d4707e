#!/bin/sh
# The installed systemd units (dist/, issue 18 point 2): systemd-analyze
# verify on both, their exposure score from systemd-analyze security
# --offline=true under 2.0, and the sysusers.d file making both users.
# Runs without systemd as PID 1: meson install into a temporary root,
# ExecStart's path taken into it.  Usage: test-units.sh BUILDDIR   (TAP)
set -u
BUILD=$1
MAX=2.0
TMP=$(mktemp -d /tmp/qcra-units.XXXXXX)
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n - $1"
	[ -f "$TMP/out" ] && sed 's/^/# /' "$TMP/out"
	rm -rf "$TMP"
	echo "1..$n"
	exit 1
}
if ! command -v systemd-analyze >/dev/null; then
	echo "1..0 # SKIP systemd-analyze not installed"
	exit 0
fi
meson install -C "$BUILD" --no-rebuild --quiet --destdir "$TMP/root" >"$TMP/out" 2>&1 ||
	fail "meson install --destdir"
UNITS=$(dirname "$(find "$TMP/root" -path '*/lib/systemd/system/qcra.service')")
QCRA=$(find "$TMP/root" -path '*/bin/qcra')
[ -f "$UNITS/qcra-ca.service" ] && [ -n "$QCRA" ] || fail "units installed in lib/systemd/system"
BINDIR=${QCRA%/qcra}
BINDIR=${BINDIR#"$TMP/root"}
mkdir "$TMP/units"
for u in qcra qcra-ca qcra-retention; do
	grep -q "^ExecStart=$BINDIR/qcra " "$UNITS/$u.service" || fail "$u.service starts $BINDIR/qcra"
	sed "s|^ExecStart=$BINDIR/|ExecStart=$TMP/root$BINDIR/|" "$UNITS/$u.service" >"$TMP/units/$u.service"
done
cp "$UNITS/qcra-retention.timer" "$TMP/units/" || fail "qcra-retention.timer installed"
ok "qcra.service and qcra-ca.service installed, starting BINDIR/qcra"
MANPATH=$(dirname "$(dirname "$(find "$TMP/root" -name qcra.8)")")
export MANPATH
for u in qcra.service qcra-ca.service qcra-retention.service qcra-retention.timer; do
	systemd-analyze verify "$TMP/units/$u" >"$TMP/out" 2>&1 &&
		! grep -q . "$TMP/out" || fail "systemd-analyze verify $u"
	ok "systemd-analyze verify $u (its man pages found)"
done
grep -q '^ExecStart=.* retention run ' "$UNITS/qcra-retention.service" &&
	grep -q '^OnCalendar=' "$UNITS/qcra-retention.timer" ||
	fail "qcra-retention.timer runs qcra retention run daily"
ok "qcra-retention.timer runs qcra retention run daily"
for u in qcra qcra-ca qcra-retention; do
	systemd-analyze security --offline=true --no-pager "$TMP/units/$u.service" >"$TMP/out" 2>&1 ||
		fail "systemd-analyze security --offline=true $u.service"
	score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p' "$TMP/out")
	[ -n "$score" ] || fail "$u.service: an exposure score"
	echo "# $u.service: exposure $score"
	awk -v s="$score" -v m="$MAX" 'BEGIN { exit !(s < m) }' ||
		fail "$u.service: exposure $score under $MAX"
	ok "$u.service: exposure $score under $MAX"
done
for what in Type=notify WatchdogSec= NoNewPrivileges=yes "CapabilityBoundingSet=$" \
	ProtectSystem=strict ProtectHome=yes PrivateTmp=yes MemoryDenyWriteExecute=yes \
	"SystemCallFilter=@system-service" RestrictAddressFamilies=; do
	for u in qcra qcra-ca; do
		grep -q "^$what" "$UNITS/$u.service" || fail "$u.service: $what"
	done
done
ok "both units: Type=notify, a watchdog and issue 18's confinement settings"
SYSUSERS=$(find "$TMP/root" -path '*/sysusers.d/qcra.conf')
mkdir -p "$TMP/sysroot/etc"
if command -v systemd-sysusers >/dev/null; then
	systemd-sysusers --root="$TMP/sysroot" "$SYSUSERS" >"$TMP/out" 2>&1 &&
		grep -q '^qcra:' "$TMP/sysroot/etc/passwd" &&
		grep -q '^qcra-ca:' "$TMP/sysroot/etc/passwd" || fail "sysusers.d/qcra.conf makes qcra and qcra-ca"
	ok "sysusers.d/qcra.conf makes the users qcra and qcra-ca"
fi
rm -rf "$TMP"
echo "1..$n"
