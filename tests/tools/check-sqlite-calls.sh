#!/bin/sh
# Every SQLite bind and step in src/ goes through the helpers of
# src/util/sq.c, which keep a failed bind and refuse to step past it
# (issue 13, item 12).  A direct sqlite3_bind_* or sqlite3_step call
# anywhere else fails this test: its result would go unchecked.
#   check-sqlite-calls.sh SRCDIR
set -u
cd "${1:?usage: check-sqlite-calls.sh SRCDIR}" || exit 1
found=$(grep -rnE --include='*.c' --include='*.h' 'sqlite3_(bind_[a-z0-9_]+|step)[[:space:]]*\(' src |
	grep -vE '^src/util/sq\.[ch]:')
if [ -n "$found" ]; then
	echo "not ok 1 - direct SQLite binds or steps outside src/util/sq.c (use sq_bind_*, sq_step):"
	printf '%s\n' "$found" | sed 's/^/#   /'
	echo "# $(printf '%s\n' "$found" | wc -l) call(s)"
	echo "1..1"
	exit 1
fi
echo "ok 1 - every SQLite bind and step in src/ goes through src/util/sq.c"
echo "1..1"
