#!/bin/sh
# The Debian package (issue 18, point 1): the tree's files copied into a
# temporary folder, dpkg-buildpackage -us -uc -b there, lintian with no
# error, and the .deb unpacked (dpkg-deb -x) into a temporary root and
# started from there the way its unit starts it (tests/install/
# test-install.sh --root).  Minutes: a whole build.
# Usage: test-deb.sh SRCDIR   (TAP)
set -u
SRC=$1
TMP=$(mktemp -d /tmp/qcra-deb.XXXXXX)
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n - $1"
	[ -f "$TMP/out" ] && tail -n 40 "$TMP/out" | sed 's/^/# /'
	rm -rf "$TMP"
	echo "1..$n"
	exit 1
}
for tool in dpkg-buildpackage dh lintian; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool not installed (debhelper, lintian)"
		exit 0
	fi
done
mkdir "$TMP/qcra"
(cd "$SRC" && git ls-files -z | xargs -0 cp --parents -t "$TMP/qcra") >"$TMP/out" 2>&1 ||
	fail "copy the tree"
# Every core builds (niced: the other tests go first); nocheck, as
# debian/rules has no test step anyway.
jobs=$(nproc 2>/dev/null || echo 2)
(cd "$TMP/qcra" && DEB_BUILD_OPTIONS="parallel=$jobs nocheck" nice dpkg-buildpackage -us -uc -b) \
	>"$TMP/out" 2>&1 ||
	fail "dpkg-buildpackage -us -uc -b"
DEB=$(ls "$TMP"/qcra_*.deb 2>/dev/null | grep -v dbgsym | head -n 1)
[ -n "$DEB" ] || fail "dpkg-buildpackage made a .deb"
ok "dpkg-buildpackage -us -uc -b: $(basename "$DEB")"
lintian --tag-display-limit 0 "$DEB" >"$TMP/out" 2>&1
sed 's/^/# /' "$TMP/out"
! grep -q '^E:' "$TMP/out" || fail "lintian: no errors"
ok "lintian: no errors ($(grep -c '^W:' "$TMP/out") warnings)"
dpkg-deb -x "$DEB" "$TMP/root" >"$TMP/out" 2>&1 || fail "dpkg-deb -x"
ok "dpkg-deb -x into a temporary root"
sh "$(dirname "$0")/../install/test-install.sh" --root "$TMP/root" >"$TMP/out" 2>&1
status=$?
sed 's/^/# /' "$TMP/out"
[ $status -eq 0 ] || fail "the unpacked package starts as its unit starts it"
ok "the unpacked package starts, serves a page and a PDF, stops"
rm -rf "$TMP"
echo "1..$n"
