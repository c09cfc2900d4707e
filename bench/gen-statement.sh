#!/bin/sh
# Writes a bank statement in CSV (the format qcra's statement import
# reads: src/domain/statement.h) with one credit per order id 1..N, each
# paying AMOUNT para with the order's model 97 reference ("97" + CC +
# the id zero-padded to 8 digits, as order_payment_ref() writes it).
# Deterministic: the same arguments always give the same bytes.
#
#   sh bench/gen-statement.sh [N] [AMOUNT_PARA] > statement.csv
#
# N defaults to 100000, AMOUNT_PARA to 588000 (5.880,00 RSD).  Dates
# cycle through November 2024; amounts are written the Serbian way
# ("5.880,00", quoted since they hold a comma).
set -eu

N=${1:-100000}
AMOUNT=${2:-588000}

case $N in '' | *[!0-9]*) echo "usage: $0 [N] [AMOUNT_PARA]" >&2; exit 2 ;; esac
case $AMOUNT in '' | *[!0-9]*) echo "usage: $0 [N] [AMOUNT_PARA]" >&2; exit 2 ;; esac

LC_ALL=C awk -v n="$N" -v amount="$AMOUNT" '
# Serbian grouping: 588000 para -> "5.880,00"
function money(para,    whole, frac, s) {
	whole = int(para / 100)
	frac = para % 100
	s = ""
	while (whole >= 1000) {
		s = sprintf(".%03d", whole % 1000) s
		whole = int(whole / 1000)
	}
	return sprintf("%d%s,%02d", whole, s, frac)
}
# ISO 7064 MOD 97-10 control digits of the digit string d.
function control(d,    r, i) {
	r = 0
	for (i = 1; i <= length(d); i++)
		r = (r * 10 + substr(d, i, 1)) % 97
	return sprintf("%02d", 98 - (r * 100) % 97)
}
BEGIN {
	printf "Datum,Iznos,Uplatilac,Poziv na broj,Svrha,ID transakcije\r\n"
	m = money(amount)
	for (id = 1; id <= n; id++) {
		d = sprintf("%08d", id)
		printf "%02d.11.2024,\"%s\",Uplatilac %d,97%s%s,Uplata po profakturi %d,BNK%09d\r\n",
			1 + (id - 1) % 30, m, id, control(d), d, id, id
	}
}'
