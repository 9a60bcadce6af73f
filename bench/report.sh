#!/usr/bin/env bash
# Summarises a bench/load.sh run in OUTDIR: the median of each target's rounds
# at saturation (summary.tsv, summary.md) and at the fixed load (fixed_summary.tsv,
# fixed_summary.md), and a chart of both (benchmarks.png).
#
# Usage: bench/report.sh OUTDIR
set -euo pipefail

out=${1:?usage: bench/report.sh OUTDIR}
command -v gnuplot >/dev/null || { echo "bench: gnuplot is missing; install it with: apt-get install -y gnuplot-nox" >&2; exit 1; }

# median COLUMN TARGET [FILE]: the median of a column of FILE (rounds.tsv) over
# the target's rounds.
median() {
	awk -F'\t' -v c="$1" -v t="$2" 'NR > 1 && $1 == t {print $c}' "$out/${3:-rounds.tsv}" | sort -g |
		awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# ratio COLUMN TARGET [FILE]: the median over the rounds of the target's figure
# divided by nginx's in the same round. Neighbours' load on a shared machine
# moves whole rounds; the ratio within a round moves much less.
ratio() {
	awk -F'\t' -v c="$1" -v t="$2" 'NR > 1 && $1 == "nginx" {n[$2] = $c} NR > 1 && $1 == t {v[$2] = $c}
		END {for (r in v) if (n[r] > 0) print v[r] / n[r]}' "$out/${3:-rounds.tsv}" | sort -g |
		awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# The base targets, then the proxy variants, in the order they first ran.
targets=()
for t in direct proxy nginx caddy; do grep -q "^$t"$'\t' "$out/rounds.tsv" && targets+=("$t"); done
targets+=($(awk -F'\t' 'NR > 1 && $1 ~ /^proxy-/ && !seen[$1]++ {print $1}' "$out/rounds.tsv"))
printf 'target\trps\tp50_ms\tp99_ms\tcpu_us\trps_vs_nginx\tp99_vs_nginx\tcpu_vs_nginx\n' >"$out/summary.tsv"
for t in "${targets[@]}"; do
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$(median 3 "$t")" "$(median 4 "$t")" "$(median 5 "$t")" \
		"$(median 6 "$t")" "$(ratio 3 "$t")" "$(ratio 5 "$t")" "$(ratio 6 "$t")" >>"$out/summary.tsv"
done

# The markdown table, with each figure also as a ratio to nginx's (the median
# of the rounds' ratios).
awk -F'\t' '
	FNR == NR {
		if ($1 == "variant:") {names[$2] = "notion-auth-proxy"; for (i = 3; i <= NF; i++) names[$2] = names[$2] " " $i}
		next
	}
	FNR == 1 {next}
	{k++; t[k] = $1; rps[k] = $2; p50[k] = $3; p99[k] = $4; cpu[k] = $5; rr[k] = $6; pr[k] = $7; cr[k] = $8}
	END {
		names["direct"] = "direct (no proxy)"; names["proxy"] = "notion-auth-proxy"
		names["nginx"] = "nginx"; names["caddy"] = "Caddy"
		print "| target | requests/s | vs nginx | p50 ms | p99 ms | p99 vs nginx | CPU µs/request | CPU vs nginx |"
		print "|---|---:|---:|---:|---:|---:|---:|---:|"
		for (i = 1; i <= k; i++)
			printf "| %s | %.0f | %.2f | %.2f | %.2f | %.2f | %s | %s |\n", names[t[i]], rps[i], rr[i],
				p50[i], p99[i], pr[i], (cpu[i] > 0) ? sprintf("%.0f", cpu[i]) : "–",
				(cpu[i] > 0) ? sprintf("%.2f", cr[i]) : "–"
	}' FS=' ' "$out/machine.txt" FS='\t' "$out/summary.tsv" >"$out/summary.md"
cat "$out/summary.md"

# The fixed offered load: latency, and the CPU it cost.
if [[ -f $out/fixed.tsv ]]; then
	printf 'target\tp50_ms\tp99_ms\tcpu_us\tp50_vs_nginx\tp99_vs_nginx\tcpu_vs_nginx\n' >"$out/fixed_summary.tsv"
	for t in "${targets[@]}"; do
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$(median 3 "$t" fixed.tsv)" "$(median 4 "$t" fixed.tsv)" \
			"$(median 5 "$t" fixed.tsv)" "$(ratio 3 "$t" fixed.tsv)" "$(ratio 4 "$t" fixed.tsv)" \
			"$(ratio 5 "$t" fixed.tsv)" >>"$out/fixed_summary.tsv"
	done
	awk -F'\t' '
		FNR == NR {
			if ($1 == "variant:") {names[$2] = "notion-auth-proxy"; for (i = 3; i <= NF; i++) names[$2] = names[$2] " " $i}
			if ($1 == "fixed:") {sub(/^fixed: /, ""); load = $0}
			next
		}
		FNR == 1 {next}
		{k++; t[k] = $1; p50[k] = $2; p99[k] = $3; cpu[k] = $4; r50[k] = $5; r99[k] = $6; cr[k] = $7}
		END {
			names["direct"] = "direct (no proxy)"; names["proxy"] = "notion-auth-proxy"
			names["nginx"] = "nginx"; names["caddy"] = "Caddy"
			print "Fixed load (" load "):"
			print ""
			print "| target | p50 ms | p50 vs nginx | p99 ms | p99 vs nginx | CPU µs/request | CPU vs nginx |"
			print "|---|---:|---:|---:|---:|---:|---:|"
			for (i = 1; i <= k; i++)
				printf "| %s | %.3f | %.2f | %.3f | %.2f | %s | %s |\n", names[t[i]], p50[i], r50[i], p99[i], r99[i],
					(cpu[i] > 0) ? sprintf("%.0f", cpu[i]) : "–", (cpu[i] > 0) ? sprintf("%.2f", cr[i]) : "–"
		}' FS=' ' "$out/machine.txt" FS='\t' "$out/fixed_summary.tsv" >"$out/fixed_summary.md"
	cat "$out/fixed_summary.md"
fi

# The chart: saturation throughput and p99, and, when the fixed-load phase
# ran, its p50 and p99 side by side.
panels=2 width=900 fixed_rate=
if [[ -f $out/fixed_summary.tsv ]]; then
	panels=3 width=1350 fixed_rate=$(sed -n 's/^fixed: vegeta attack -rate \([0-9]*\).*/\1/p' "$out/machine.txt")
fi
{
	cat <<PLOT
set terminal pngcairo size $width,420 font "sans,10"
set output "$out/benchmarks.png"
set datafile separator "\t"
set style fill solid 0.8 border -1
set boxwidth 0.6
set grid ytics
set yrange [0:*]
unset key
set multiplot layout 1,$panels title "GET /v1/users/me on loopback, median of interleaved rounds ($(sed -n 's/^load: //p' "$out/machine.txt"))"
set title "saturation: throughput (requests/s, higher is better)"
plot "$out/summary.tsv" every ::1 using 0:2:xtic(1) with boxes lc rgb "#4477aa", \
     "" every ::1 using 0:2:(sprintf("%.0f", \$2)) with labels offset 0,0.7
set title "saturation: p99 latency (ms, lower is better)"
plot "$out/summary.tsv" every ::1 using 0:4:xtic(1) with boxes lc rgb "#cc6677", \
     "" every ::1 using 0:4:(sprintf("%.1f", \$4)) with labels offset 0,0.7
PLOT
	if ((panels == 3)); then
		cat <<PLOT
set title "at $fixed_rate requests/s: p50 and p99 latency (ms, lower is better)"
set key top left
set boxwidth 0.35
plot "$out/fixed_summary.tsv" every ::1 using (\$0 - 0.2):2:xtic(1) with boxes lc rgb "#88ccee" title "p50", \
     "" every ::1 using (\$0 + 0.2):3 with boxes lc rgb "#cc6677" title "p99", \
     "" every ::1 using (\$0 - 0.2):2:(sprintf("%.2f", \$2)) with labels offset 0,0.7 notitle, \
     "" every ::1 using (\$0 + 0.2):3:(sprintf("%.1f", \$3)) with labels offset 0,0.7 notitle
PLOT
	fi
	echo "unset multiplot"
} | gnuplot
echo "bench: chart in $out/benchmarks.png"
