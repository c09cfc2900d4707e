#!/bin/sh
# Writes a bank statement CSV of the seeded orders' payments, for
# scenario 7: header date,amount,payer,reference, one credit line per
# order (the first LINES orders by id), amount = the order's total, the
# order's model 97 reference ("97" + CC + id zero-padded to 8 digits, as
# order_payment_ref() computes it: the control digits are 98 minus the
# id times 100 modulo 97), dated the day after confirmation.
#
# usage: bench/statement-csv.sh DB LINES > statement.csv
set -eu
db=$1
lines=$2
echo "date,amount,payer,reference"
sqlite3 -batch -noheader -csv "$db" "
SELECT date(confirmed_at + 86400, 'unixepoch'),
       printf('%d.%02d', total_para / 100, total_para % 100),
       first_name || ' ' || last_name,
       printf('97%02d%08d', 98 - (id * 100) % 97, id)
FROM orders JOIN order_state ON order_id = id WHERE confirmed_at > 0 ORDER BY id LIMIT $lines"
