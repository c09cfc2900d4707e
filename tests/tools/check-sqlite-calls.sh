#!/bin/sh
# Every SQLite bind and step in src/ goes through the helpers of
# src/util/sq.c, which keep a failed bind and refuse to step past it
# (issue 13, item 12).  A direct sqlite3_bind_* or sqlite3_step call
# anywhere else fails this test: its result would go unchecked.  And an
# order state is bound as a parameter, never written into the store's SQL
# (issue 14): a quoted state name in src/store/*.c fails test 2.  The
# store's area files and shared parts speak only store/db.h, whichever
# database is behind it (issue 17): sqlite3 named in any of them fails
# test 3, and a bind or step of the driver called by hand there (not
# through store.c's db_bound / db_step_* helpers) fails test 4.
#   check-sqlite-calls.sh SRCDIR
set -u
cd "${1:?usage: check-sqlite-calls.sh SRCDIR}" || exit 1
found=$(grep -rnE --include='*.c' --include='*.h' 'sqlite3_(bind_[a-z0-9_]+|step)[[:space:]]*\(' src |
	grep -vE '^src/util/sq\.[ch]:')
if [ -n "$found" ]; then
	echo "not ok 1 - direct SQLite binds or steps outside src/util/sq.c (use sq_bind_*, sq_step):"
	printf '%s\n' "$found" | sed 's/^/#   /'
	echo "# $(printf '%s\n' "$found" | wc -l) call(s)"
	echo "1..4"
	exit 1
fi
echo "ok 1 - every SQLite bind and step in src/ goes through src/util/sq.c"
# The state names, from the workflow's own table.
names=$(sed -n '/state_names\[/,/^};/s/^[[:space:]]*\[WF_[A-Z_]*\] = "\([a-z_]*\)",$/\1/p' \
	src/domain/workflow.c | sort -u |
	paste -sd'|' -)
literals=$(grep -nE "'($names)'" src/store/*.c | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)')
if [ -z "$names" ]; then
	echo "not ok 2 - no state names found in src/domain/workflow.c"
	echo "1..4"
	exit 1
fi
if [ -n "$literals" ]; then
	echo "not ok 2 - order states written into SQL text (bind wf_state_name(...) instead):"
	printf '%s\n' "$literals" | sed 's/^/#   /'
	echo "1..4"
	exit 1
fi
echo "ok 2 - no order state is written into the store's SQL ($(printf '%s' "$names" | tr '|' '\n' | wc -l) names checked)"
# The backend-neutral files: everything in src/store/ but the SQLite
# driver (db_sqlite.[ch]), SQLite's allocator (sqlite_mem.[ch]) and a
# PostgreSQL driver (db_pg*).
neutral=$(ls src/store/*.c src/store/*.h | grep -vE '^src/store/(db_sqlite|sqlite_mem|db_pg)[^/]*$')
if [ -z "$neutral" ]; then
	echo "not ok 3 - no backend-neutral files found in src/store/"
	echo "1..4"
	exit 1
fi
found=$(grep -nEi 'sqlite3' $neutral)
if [ -n "$found" ]; then
	echo "not ok 3 - SQLite named in the store's backend-neutral files (use store/db.h):"
	printf '%s\n' "$found" | sed 's/^/#   /'
	echo "1..4"
	exit 1
fi
echo "ok 3 - the store's $(printf '%s\n' "$neutral" | wc -l) backend-neutral files name no SQLite"
found=$(grep -nE -- '->(bind|step)[[:space:]]*\(' $neutral | grep -vE '^src/store/(store\.c|store_int\.h|db\.h):')
if [ -n "$found" ]; then
	echo "not ok 4 - a driver's bind or step called outside store.c's helpers (use db_bound, db_step_*):"
	printf '%s\n' "$found" | sed 's/^/#   /'
	echo "1..4"
	exit 1
fi
echo "ok 4 - every bind and step of the store's area files goes through store.c's helpers"
echo "1..4"
