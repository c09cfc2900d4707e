#!/bin/sh
# meson install into a temporary root, then the installed qcra started
# there the way its unit starts it (empty environment, cwd /, the
# configuration file naming the state directory): it finds its renderer
# in LIBEXECDIR/qcra and its pages, messages and static files in
# DATADIR/qcra under that root (util/install.h), not beside it.
# Usage: test-install.sh BUILDDIR   (TAP)
#        test-install.sh --root DIR   the same on a root already made
#                                     (the Debian package unpacked:
#                                     tests/debian/test-deb.sh)
set -u
BUILD=$1
TMP=$(mktemp -d /tmp/qcra-install.XXXXXX)
ROOT=$TMP/root
[ "$BUILD" = --root ] && ROOT=$2
PID=
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n - $1"
	[ -f "$TMP/serve.log" ] && sed 's/^/# /' "$TMP/serve.log"
	finish 1
}
finish() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$TMP"
	echo "1..$n"
	exit "$1"
}
# The unit's environment: nothing but PATH (and, in a sanitizer build,
# the leak checker's suppressions, tests/lsan.supp); exec'd, so that a
# command in the background is the program itself.
run_env() {
	exec env -i PATH=/usr/bin:/bin ${LSAN_OPTIONS:+"LSAN_OPTIONS=$LSAN_OPTIONS"} "$@"
}
one() { # the one file under TMP matching a path pattern
	find "$ROOT" -path "$1" | head -n 1
}

if [ "$BUILD" != --root ]; then
	meson install -C "$BUILD" --no-rebuild --quiet --destdir "$ROOT" >"$TMP/install.log" 2>&1 ||
		{ cat "$TMP/install.log"; fail "meson install --destdir"; }
	ok "meson install --destdir"
fi
QCRA=$(one '*/bin/qcra')
RENDER=$(one '*/qcra/qcra-render')
CONF=$(one '*/etc/qcra/qcra.conf')
DATA=$(dirname "$(dirname "$(one '*/share/qcra/templates/home.html')")")
for f in "$QCRA" "$RENDER" "$CONF" "$DATA/messages/sr.txt" "$DATA/messages/en.txt" \
	"$DATA/static/style.css" "$DATA/data/catalog.ini" \
	"$(one '*/man/man8/qcra.8*')" "$(one '*/man/man5/qcra.conf.5*')"; do
	[ -n "$f" ] && [ -s "$f" ] || fail "installed: qcra, qcra-render, qcra.conf, data, man pages"
done
[ "$(dirname "$QCRA")" != "$(dirname "$RENDER")" ] || fail "qcra-render not beside qcra"
ok "installed: bin/qcra, LIBEXECDIR/qcra/qcra-render, etc/qcra/qcra.conf, share/qcra, man pages"

# The example configuration is valid as installed, names the state
# directory, and every key of `serve --help` is in it.
grep -q '^var = .*/lib/qcra$' "$CONF" || fail "qcra.conf sets var to LOCALSTATEDIR/lib/qcra"
"$QCRA" serve --help | awk '/^  [a-z_]+ +QCRA_/ { print $1 }' >"$TMP/keys"
[ -s "$TMP/keys" ] || fail "serve --help lists the keys"
while read -r k; do
	grep -Eq "^;? ?$k =" "$CONF" || fail "qcra.conf names $k"
done <"$TMP/keys"
ok "qcra.conf names all $(wc -l <"$TMP/keys") keys"

# A data_dir that is not there stops it, naming the key.
if (run_env QCRA_DATA_DIR="$TMP/none" "$QCRA" migrate --var "$TMP/v0" \
	>"$TMP/dd.log" 2>&1) || ! grep -q "data_dir: cannot read $TMP/none/" "$TMP/dd.log"; then
	cat "$TMP/dd.log"
	fail "a missing data_dir is refused"
fi
ok "a missing data_dir is refused, naming it"

# The installed data are what it serves: a mark added to the installed
# style sheet comes back.
echo '/* installed-copy-mark */' >>"$DATA/static/style.css"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$TMP/state"
{
	cat "$CONF"
	echo "var = $TMP/state"
	echo "listen = 127.0.0.1:$PORT"
	echo "ca_connector = testca"
} >"$TMP/qcra.conf"
(cd / && run_env "$QCRA" demo seed --config "$TMP/qcra.conf" \
	--members 1 --orders 4 --seed 1) >"$TMP/seed.log" 2>&1 ||
	{ cat "$TMP/seed.log"; fail "demo seed from the installed qcra"; }
(cd / && run_env "$QCRA" serve --config "$TMP/qcra.conf") \
	>"$TMP/serve.log" 2>&1 &
PID=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
	i=$((i + 1))
	[ $i -lt 100 ] && kill -0 "$PID" 2>/dev/null || fail "installed qcra serve answers"
	sleep 0.1
done
[ "$(curl -s "http://127.0.0.1:$PORT/healthz")" = ok ] || fail "GET /healthz"
ok "GET /healthz from the installed qcra"
code=$(curl -s -o "$TMP/home.html" -w '%{http_code}' "http://127.0.0.1:$PORT/")
[ "$code" = 200 ] && grep -q '</html>' "$TMP/home.html" || fail "GET / ($code)"
ok "GET / from the installed qcra"
curl -s "http://127.0.0.1:$PORT/static/style.css" | grep -q installed-copy-mark ||
	fail "static files from DATADIR/qcra"
ok "static files served from the installed DATADIR/qcra"

# A PDF: drawn by the installed LIBEXECDIR/qcra/qcra-render.
BASE=http://127.0.0.1:$PORT
jar=$TMP/jar
curl -s -c "$jar" -b "$jar" -o "$TMP/login.html" "$BASE/login"
token=$(sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' "$TMP/login.html" | head -n 1)
code=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' \
	--data "username=demo00001&password=demo-lozinka-2026&csrf_token=$token" "$BASE/login")
[ "$code" = 303 ] || fail "login as the demo member ($code)"
got=
for id in 1 2 3 4; do
	curl -s -b "$jar" -o "$TMP/doc.pdf" "$BASE/orders/$id/request.pdf"
	if [ "$(head -c 5 "$TMP/doc.pdf")" = "%PDF-" ]; then
		got=$id
		break
	fi
done
[ -n "$got" ] || fail "a request PDF drawn by the installed qcra-render"
ok "request.pdf of order $got drawn by the installed qcra-render"

kill "$PID"
wait "$PID"
status=$?
PID=
[ $status -eq 0 ] || fail "stops on SIGTERM with status 0 (got $status)"
grep -q 'qcra: stopped' "$TMP/serve.log" || fail "says it stopped"
ok "stops cleanly on SIGTERM"
finish 0
