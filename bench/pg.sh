# Sourced by bench/run (issue 17, Bench): scenarios 2 and 6 on
# PostgreSQL with 1, 2 and 3 instances behind haproxy, and pgbench's own
# figures on the same cluster as the reference.  pg_section writes the
# section's Markdown to $WORK/pg.md (or one line saying why it was
# skipped).  Uses run3, login, csrf_of, start_portal's conventions and
# the figures' helpers of bench/run.
#
# Knobs: BENCH_PG_MEMBERS and BENCH_PG_ORDERS (default: the SQLite
# scenarios' BENCH_MEMBERS and BENCH_ORDERS; seeded into SQLite with
# qcra demo seed, then moved with qcra store copy, which writes rows in
# batches: the seed itself stores one row at a time, a round trip each
# on PostgreSQL), BENCH_PG_INSTANCES="1 2 3".

PG_DIR=
PG_LB_PID=
PG_PIDS=
pg_cleanup() {
	for p in $PG_PIDS $PG_LB_PID; do
		kill "$p" 2>/dev/null || continue
		wait "$p" 2>/dev/null || true # its status is 143: not ours (set -e)
	done
	PG_PIDS= PG_LB_PID=
	[ -z "$PG_DIR" ] || sh tests/tools/pg-cluster stop "$PG_DIR"
	PG_DIR=
	return 0
}

# natural_form CSRF: scenario 6's natural-person order form, urlencoded,
# from "first|last|jmbg|email|license" on stdin (the member's row).
natural_form() {
	CSRF=$1 python3 -c '
import os, sys, urllib.parse
f, l, j, e, lic = sys.stdin.read().strip().split("|")
print(urllib.parse.urlencode({"first_name": f, "last_name": l, "jmbg": j, "id_type": "id_card",
    "id_number": "012345678", "id_issuer": "PU Beograd", "street": "Kneza Miloša 9",
    "postal_code": "11000", "city": "Beograd", "email": e, "phone": "064 123 4567",
    "license_number": lic, "office": "BG", "validity": "3y", "consent": "1",
    "csrf_token": os.environ["CSRF"]}))'
}

# CPU ticks (user + system) of the given processes, and of every child.
pg_ticks() {
	t=0
	for p in "$@"; do
		for k in "$p" $(pgrep -P "$p" 2>/dev/null); do
			t=$((t + $(awk '{ print $14 + $15 }' "/proc/$k/stat" 2>/dev/null || echo 0)))
		done
	done
	echo "$t"
}

# Requests wrk made over a scenario's three runs.
wrk_reqs3() {
	cat "$WORK/$1".[123].wrk | awk '/ requests in / { n += $1 } END { print n + 0 }'
}

# pgbench's transactions per second from its output.
pgb_tps() { sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$1" | head -n 1; }

# pg_lb N: haproxy in front of the first N instances (round robin,
# send-proxy-v2 from 127.0.0.5, checks on /healthz); sets BASE.
pg_lb() {
	{
		printf 'global\n  maxconn 1000\ndefaults\n  mode http\n  timeout connect 2s\n'
		printf '  timeout client 30s\n  timeout server 30s\n'
		printf 'frontend portal\n  bind 127.0.0.1:%s\n  default_backend instances\n' "$PG_LB_PORT"
		printf 'backend instances\n  balance roundrobin\n  source 127.0.0.5\n'
		printf '  option httpchk GET /healthz\n'
		i=0
		for port in $PG_PORTS; do
			i=$((i + 1))
			[ $i -le "$1" ] || break
			printf '  server q%d 127.0.0.1:%s send-proxy-v2 check check-send-proxy inter 2s\n' \
				$i "$port"
		done
	} >"$WORK/pg/haproxy.cfg"
	haproxy -db -f "$WORK/pg/haproxy.cfg" >"$WORK/pg/haproxy.log" 2>&1 &
	PG_LB_PID=$!
	BASE=http://127.0.0.1:$PG_LB_PORT
	i=0
	until [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" = 200 ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "pg: haproxy did not answer: $(cat "$WORK/pg/haproxy.log")"
		sleep 0.1
	done
	printf '%s\n' "haproxy -db -f $WORK/pg/haproxy.cfg  ($1 instances)" >>"$WORK/commands"
}

pg_section() {
	pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r | head -n 1)
	for tool in haproxy psql "$pg_bin/pgbench" "$pg_bin/initdb"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			say "pg: $tool is missing (sh scripts/setup installs PostgreSQL and haproxy): skipped"
			printf '%s\n' "PostgreSQL section skipped: ${tool##*/} is missing (\`sh scripts/setup\` installs PostgreSQL and haproxy)." \
				>"$WORK/pg.md"
			return 0
		fi
	done
	PGB=$pg_bin/pgbench
	rm -rf "$WORK/pg"
	mkdir -p "$WORK/pg"
	# In /tmp: as root the server runs as qcra-test, which must reach it.
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/qcra-bench-pg.XXXXXX") && rmdir "$PG_DIR" ||
		die "pg: mktemp failed"
	PG_ADMIN=$(sh tests/tools/pg-cluster start "$PG_DIR") || die "pg: the cluster did not start"
	printf '%s\n' "sh tests/tools/pg-cluster start $PG_DIR" >>"$WORK/commands"
	PG_HOST=${PG_ADMIN%/postgres}
	PG_POSTMASTER=$(head -n 1 "$PG_DIR/data/postmaster.pid")
	psql -X -q -c "CREATE DATABASE qcra_bench" -c "CREATE DATABASE pgbench" "$PG_ADMIN" ||
		die "pg: CREATE DATABASE failed"
	PGURL=$PG_HOST/qcra_bench
	pgm=${BENCH_PG_MEMBERS:-$MEMBERS}
	pgo=${BENCH_PG_ORDERS:-$ORDERS}
	say "pg: seeding $pgm members, $pgo orders (SQLite, then qcra store copy)"
	mkdir -p "$WORK/pg/var1"
	t0=$(date +%s.%N)
	"$QCRA" demo seed --var "$WORK/pg/var1" --members "$pgm" --orders "$pgo" --seed 1 \
		>"$WORK/pg/seed.log" 2>&1 || die "pg: seed failed: $(cat "$WORK/pg/seed.log")"
	"$QCRA" store copy --from "sqlite:$WORK/pg/var1/qcra.db" --to "$PGURL" >>"$WORK/pg/seed.log" 2>&1 ||
		die "pg: store copy failed: $(tail -n 3 "$WORK/pg/seed.log")"
	rm -f "$WORK/pg/var1/qcra.db" "$WORK/pg/var1/qcra.db-wal" "$WORK/pg/var1/qcra.db-shm"
	PG_SEED_SECS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	printf '%s\n' "$QCRA demo seed --var $WORK/pg/var1 --members $pgm --orders $pgo --seed 1; $QCRA store copy --from sqlite:$WORK/pg/var1/qcra.db --to URL/qcra_bench" \
		>>"$WORK/commands"

	# The references: TPC-B-like, and one-row INSERTs, each its own
	# commit with synchronous_commit=on (the cluster's setting), as
	# many clients as one instance's pool holds (QCRA_PG_POOL, 32).
	say "pg: pgbench references"
	"$PGB" -i -q "$PG_HOST/pgbench" >"$WORK/pg/pgbench-init.log" 2>&1 || die "pg: pgbench -i failed"
	"$PGB" -c 8 -j 2 -T 5 "$PG_HOST/pgbench" >"$WORK/pg/tpcb.log" 2>&1 || die "pg: pgbench failed"
	psql -X -q -c "CREATE TABLE ins (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), v text NOT NULL)" \
		"$PG_HOST/pgbench" || die "pg: CREATE TABLE failed"
	printf '%s\n' "INSERT INTO ins (v) VALUES ('a row of about the size of an order''s key fields');" \
		>"$WORK/pg/insert.sql"
	"$PGB" -n -f "$WORK/pg/insert.sql" -c 32 -j 2 -T 5 "$PG_HOST/pgbench" >"$WORK/pg/insert.log" 2>&1 ||
		die "pg: pgbench insert failed"
	printf '%s\n' "$PGB -i -q URL/pgbench; $PGB -c 8 -j 2 -T 5 URL/pgbench" \
		"$PGB -n -f $WORK/pg/insert.sql -c 32 -j 2 -T 5 URL/pgbench  (one INSERT per transaction)" \
		>>"$WORK/commands"
	PG_TPCB=$(pgb_tps "$WORK/pg/tpcb.log")
	PG_INS=$(pgb_tps "$WORK/pg/insert.log")

	# Three instances on the database, the same secret.key, each its own
	# var; haproxy connects from 127.0.0.5 with the PROXY header.
	PG_PORTS= PG_PIDS=
	for n in 1 2 3; do
		v=$WORK/pg/var$n
		mkdir -p "$v"
		[ $n = 1 ] || cp -p "$WORK/pg/var1/secret.key" "$v/secret.key"
		port=$(free_port)
		QCRA_DATABASE=$PGURL QCRA_PROXY_PROTOCOL_FROM=127.0.0.5 QCRA_CA_CONNECTOR=testca \
			QCRA_MAX_CONNECTIONS_PER_ADDRESS=512 \
			QCRA_ACCESS_LOG=false "$QCRA" serve --var "$v" --listen 127.0.0.1:"$port" \
			--workers "$WORKERS" >"$WORK/pg/serve$n.log" 2>&1 &
		PG_PIDS="$PG_PIDS $!"
		PG_PORTS="$PG_PORTS $port"
		printf '%s\n' "QCRA_DATABASE=URL QCRA_PROXY_PROTOCOL_FROM=127.0.0.5 QCRA_CA_CONNECTOR=testca QCRA_MAX_CONNECTIONS_PER_ADDRESS=512 QCRA_ACCESS_LOG=false $QCRA serve --var $v --listen 127.0.0.1:$port --workers $WORKERS" \
			>>"$WORK/commands"
	done
	for port in $PG_PORTS; do
		i=0
		until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ]; do
			i=$((i + 1))
			[ $i -lt 100 ] || die "pg: an instance did not start: $(cat "$WORK"/pg/serve*.log)"
			sleep 0.1
		done
	done
	PG_LB_PORT=$(free_port)
	pg_lb 1
	PG_S1=$(login demo00001)
	PG_S2=$(login demo00002)
	PG_ACC2=$(psql -X -tA -c "SELECT id FROM accounts WHERE username = 'demo00002'" "$PGURL")
	curl -s -o "$WORK/pg/form.html" -b "qcra_session=$PG_S2" "$BASE/certificates/new/natural"
	PG_CSRF2=$(csrf_of "$WORK/pg/form.html")
	[ -n "$PG_CSRF2" ] || die "pg: no CSRF token on the order form"
	PG_FORM=$(psql -X -tA -F '|' -c "SELECT m.first_name, m.last_name, m.jmbg, m.email,
		m.license_number FROM members m JOIN accounts a ON a.member_id = m.id WHERE a.id = $PG_ACC2" \
		"$PGURL" | natural_form "$PG_CSRF2")
	code=$(curl -s -o /dev/null -w '%{http_code}' -b "qcra_session=$PG_S1" "$BASE/orders")
	[ "$code" = 200 ] || die "pg: GET /orders answered $code"
	kill "$PG_LB_PID"
	wait "$PG_LB_PID" 2>/dev/null || true
	PG_LB_PID=

	hz=$(getconf CLK_TCK)
	{
		echo "## PostgreSQL: scenarios 2 and 6 with 1-3 instances behind haproxy"
		echo
		echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{ print $NF }') (tests/tools/pg-cluster: fsync on, synchronous_commit=on), data seeded with \`qcra demo seed\` into SQLite and moved with \`qcra store copy\` ($pgm members, $pgo orders, $PG_SEED_SECS s for both); each instance $WORKERS workers, QCRA_PG_POOL default; haproxy round robin, send-proxy-v2; wrk ($THREADS threads, $CONNS connections, ${SECS} s) against haproxy, three runs, median (min-max).  CPU: user + system seconds of the instances, of the PostgreSQL server (postmaster and backends) and of haproxy over the three runs, divided by wrk's requests (per POST in scenario 6)."
		echo
		echo "References: pgbench TPC-B-like (\`-c 8 -j 2 -T 5\`) $PG_TPCB tps; one-row INSERT per transaction (\`-c 32 -j 2 -T 5\`, synchronous_commit=on) $PG_INS tps."
		echo
		echo "| scenario | instances | result | per instance | p50 / p99 | CPU us per request: instances + PostgreSQL + haproxy = total | ratio | target | met |"
		echo "|---|---|---|---|---|---|---|---|---|"
	} >"$WORK/pg.md"
	for n in ${BENCH_PG_INSTANCES:-1 2 3}; do
		pg_lb "$n"
		inst=$(echo $PG_PIDS | cut -d' ' -f1-"$n")
		for s in 2 6; do
			# not "name": run_wrk sets that one
			pgn=pg_s${s}_$n
			# shellcheck disable=SC2086
			a_i=$(pg_ticks $inst) a_p=$(pg_ticks "$PG_POSTMASTER") a_h=$(pg_ticks "$PG_LB_PID")
			if [ $s = 2 ]; then
				BENCH_COOKIE="qcra_session=$PG_S1" run3 wrk_rps "$pgn" $CONNS $THREADS "$BASE/orders" \
					-s $L/cookie.lua
				fig=$(m3 "$pgn")
				unit="req/s"
				med=$(median "$pgn")
			else
				BENCH_COOKIE="qcra_session=$PG_S2" BENCH_CSRF=$PG_CSRF2 BENCH_BODY=$PG_FORM \
					run3 s6_orders "$pgn" $CONNS $THREADS "$BASE/" -s $L/submit.lua
				fig="$(m3 "$pgn") orders/s ($(wrk_line "$pgn" | sed -n 's/.*failed=\([0-9]*\).*/\1/p') failed)"
				unit=
				med=$(median "$pgn")
			fi
			# shellcheck disable=SC2086
			b_i=$(pg_ticks $inst) b_p=$(pg_ticks "$PG_POSTMASTER") b_h=$(pg_ticks "$PG_LB_PID")
			reqs=$(wrk_reqs3 "$pgn")
			cpu=$(awk -v i=$((b_i - a_i)) -v p=$((b_p - a_p)) -v h=$((b_h - a_h)) -v n="$reqs" -v hz="$hz" \
				'BEGIN { if (n > 0) printf "%.0f + %.0f + %.0f = %.0f", 1e6 * i / hz / n,
					1e6 * p / hz / n, 1e6 * h / hz / n, 1e6 * (i + p + h) / hz / n; else print "n/a" }')
			per=$(div "$med" "$n" '%.0f')
			if [ $s = 2 ]; then
				echo "| 2 order list | $n | $fig $unit | $per | $(wrk_pct "$pgn" 50) / $(wrk_pct "$pgn" 99) ms | $cpu | | | |" >>"$WORK/pg.md"
			else
				r=$(ratio "$med" "$PG_INS")
				m=
				if [ "$n" = 1 ]; then
					m=$(judged "$(verdict "$(div "$med" "$PG_INS" '%.4f')" 0.5)" "$(loaded_row "$pgn")")
				fi
				echo "| 6 submit + confirm | $n | $fig $unit | $per | $(wrk_pct "$pgn" 50) / $(wrk_pct "$pgn" 99) ms | $cpu | $r of one-row INSERTs | $([ "$n" = 1 ] && echo '≥ 50%') | $m |" >>"$WORK/pg.md"
			fi
		done
		kill "$PG_LB_PID"
		wait "$PG_LB_PID" 2>/dev/null || true
		PG_LB_PID=
	done
	echo >>"$WORK/pg.md"
	echo "Orders confirmed in the database for demo00002: $(psql -X -tA -c "SELECT COUNT(*) FROM orders JOIN order_state ON order_id = id WHERE account_id = $PG_ACC2 AND state = 'confirmed'" "$PGURL")." >>"$WORK/pg.md"
	pg_cleanup
}
