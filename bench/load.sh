#!/usr/bin/env bash
# Load benchmark: notion-auth-proxy against nginx and Caddy injecting the same
# two headers, and the fake Notion API asked directly, all on loopback.
#
# Usage: bench/load.sh OUTDIR   (run by `make bench-load`, after `make build`)
#
# Environment (defaults in brackets):
#   BENCH_ROUNDS [5]       rounds; each runs every target once, in rotated order
#   BENCH_DURATION [5s]    hey -z per target per round
#   BENCH_CONCURRENCY [32] hey -c
#   BENCH_RATE [2000]      the fixed offered load, requests/s, of the latency
#                          phase (vegeta, open loop: a request leaves on
#                          schedule whether or not earlier ones were answered);
#                          0 skips the phase
#   BENCH_RATE_DURATION [5s]  vegeta -duration per target per round
#   BENCH_PORT [18710]     first of consecutive loopback ports: five, and one
#                          more per proxy variant
#   BENCH_DOWN_MIB [384]   size streamed down through each proxy for peak RSS
#   BENCH_UP_MIB [384]     size streamed up through each proxy for peak RSS
#   BENCH_BODY_REQUESTS [3000]  POSTs of a 1 MB body (hey -c BENCH_CONCURRENCY)
#                          sent through each proxy after streaming, for the peak
#                          RSS with many bodies in flight (the proxy keeps a copy
#                          of each body up to 1 MiB, for replay)
#   BENCH_TARGETS [direct proxy nginx caddy]  the base targets (nginx and proxy
#                          always run: they are the reference and the subject)
#   BENCH_PROXY_VARIANTS []  more notion-auth-proxy targets, each with its own
#                          environment: space-separated LABEL:VAR=VALUE[,VAR=VALUE]
#                          items, e.g. "gogc100:GOGC=100 gogc400:GOGC=400"; each
#                          runs as target proxy-LABEL in every round. The pseudo
#                          variable PROXY_BIN=PATH runs another build instead
#                          (a scratch copy with a data-path change, say)
#
# OUTDIR receives rounds.tsv (one line per run), summary.tsv and summary.md
# (medians per target), fixed.tsv, fixed_summary.tsv and fixed_summary.md
# (the same for the fixed-load phase), gc.tsv (the collector's share of each
# proxy's CPU over the load rounds), rss.tsv (idle RSS, then peaks while streaming and
# with bodies in flight),
# rss_load.tsv, machine.txt and benchmarks.png. The token is a fake one, like
# `make demo`'s; nothing leaves the loopback interface.
set -euo pipefail

out=${1:?usage: bench/load.sh OUTDIR}
rounds=${BENCH_ROUNDS:-5}
duration=${BENCH_DURATION:-5s}
conc=${BENCH_CONCURRENCY:-32}
rate=${BENCH_RATE:-2000}
rate_duration=${BENCH_RATE_DURATION:-5s}
port=${BENCH_PORT:-18710}
down_mib=${BENCH_DOWN_MIB:-384}
up_mib=${BENCH_UP_MIB:-384}
body_requests=${BENCH_BODY_REQUESTS:-3000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
proxy_bin=$root/bin/notion-auth-proxy
fake_bin=$root/bin/fakenotion

token=ntn_bench_token_not_a_real_secret
version=2025-09-03
path=/v1/users/me
targets=()
for t in direct proxy nginx caddy; do
	[[ " ${BENCH_TARGETS:-direct proxy nginx caddy} " == *" $t "* || $t == proxy || $t == nginx ]] && targets+=("$t")
done
declare -A port_of=([fake]=$port [direct]=$port [proxy]=$((port + 1)) [nginx]=$((port + 2)) [caddy]=$((port + 3)))
# env_of[proxy-LABEL]: the variant's VAR=VALUE settings, comma-separated.
declare -A env_of=([proxy]=)
proxies_v=()
for v in ${BENCH_PROXY_VARIANTS:-}; do
	[[ $v == ?*:?*=* ]] || { echo "bench: BENCH_PROXY_VARIANTS item $v is not LABEL:VAR=VALUE" >&2; exit 2; }
	t=proxy-${v%%:*}
	env_of[$t]=${v#*:}
	port_of[$t]=$((port + 4 + ${#proxies_v[@]})) # after the four of the base targets
	proxies_v+=("$t")
	targets+=("$t")
done
proxies=(proxy "${proxies_v[@]}")
servers=() # every target but direct: the processes this script starts
for t in "${targets[@]}"; do [[ $t == direct ]] || servers+=("$t"); done

die() { echo "bench: $*" >&2; exit 1; }

# vegeta is a Go program: `make bench-tools` builds it into bin/tools.
PATH=$root/bin/tools:$PATH
command -v vegeta >/dev/null || die "vegeta is missing; build it with: make bench-tools"
for tool in hey nginx caddy curl gnuplot; do
	command -v "$tool" >/dev/null || die "$tool is missing; install it with: apt-get install -y $(
		case $tool in gnuplot) echo gnuplot-nox ;; *) echo "$tool" ;; esac)"
done
[[ -x $proxy_bin && -x $fake_bin ]] || die "build first: make build and bin/fakenotion (make bench-load does both)"
for p in "${port_of[@]}"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		die "port $p is in use; set BENCH_PORT to the first of ${#port_of[@]} free ports"
	fi
done

clk_tck=$(getconf CLK_TCK)
mkdir -p "$out"
tmp=$(mktemp -d)
chmod 755 "$tmp" # nginx workers may run as another user
declare -A pid_of=()

cleanup() {
	local p
	for p in "${pid_of[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_up URL: until something answers at URL (any status), or 10 s.
wait_up() {
	local i
	for i in $(seq 100); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	die "nothing answered at $1"
}

stop() {
	[[ -n ${pid_of[$1]:-} ]] || return 0
	kill "${pid_of[$1]}" 2>/dev/null || true
	wait "${pid_of[$1]}" 2>/dev/null || true
	unset "pid_of[$1]"
}

start_fake() {
	"$fake_bin" -listen "127.0.0.1:${port_of[fake]}" -token "$token" >"$tmp/fake.out" 2>&1 &
	pid_of[fake]=$!
	wait_up "http://127.0.0.1:${port_of[fake]}/"
}

# start_proxy [TARGET] runs the binary as deployed: zero-config, JSON access
# log at info level (to a file), pacing off so the benchmark measures the data
# path. GOGC and GOMEMLIMIT come only from the variant (none for proxy).
# GODEBUG=gctrace=1 adds one line per collection to the log (a few a second),
# from which gc_share reads the collector's CPU time.
start_proxy() {
	local t=${1:-proxy} items=() extra=() bin=$proxy_bin kv
	[[ -n ${env_of[$t]} ]] && IFS=, read -ra items <<<"${env_of[$t]}"
	for kv in "${items[@]}"; do
		case $kv in
		PROXY_BIN=*) bin=${kv#PROXY_BIN=} ;;
		*) extra+=("$kv") ;;
		esac
	done
	mkdir -p "$tmp/state-$t"
	env -u NOTION_PROXY_CONFIG -u GOGC -u GOMEMLIMIT XDG_STATE_HOME="$tmp/state-$t" XDG_CONFIG_HOME="$tmp/state-$t" \
		NOTION_API_TOKEN="$token" \
		NOTION_PROXY_UPSTREAM="http://127.0.0.1:${port_of[fake]}" \
		NOTION_PROXY_LISTEN="127.0.0.1:${port_of[$t]}" \
		NOTION_PROXY_RATE_LIMIT_REQUESTS_PER_SECOND=0 \
		NOTION_PROXY_MAX_BODY_BYTES=$(((up_mib + 1) << 20)) GODEBUG=gctrace=1 \
		"${extra[@]}" "$bin" serve 2>>"$tmp/$t.log" &
	pid_of[$t]=$!
	wait_up "http://127.0.0.1:${port_of[$t]}/healthz"
}

# start TARGET starts the target's processes.
start() {
	case $1 in
	proxy*) start_proxy "$1" ;;
	*) "start_$1" ;;
	esac
}

start_nginx() {
	mkdir -p "$tmp/nginx/logs"
	sed -e "s|@DIR@|$tmp/nginx|g" -e "s|@PORT@|${port_of[nginx]}|g" -e "s|@UPSTREAM@|${port_of[fake]}|g" \
		-e "s|@TOKEN@|$token|g" -e "s|@VERSION@|$version|g" "$here/nginx.conf" >"$tmp/nginx/nginx.conf"
	nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/logs/error.log" &
	pid_of[nginx]=$!
	wait_up "http://127.0.0.1:${port_of[nginx]}/"
}

start_caddy() {
	mkdir -p "$tmp/caddy"
	sed -e "s|@DIR@|$tmp/caddy|g" -e "s|@PORT@|${port_of[caddy]}|g" -e "s|@UPSTREAM@|${port_of[fake]}|g" \
		-e "s|@TOKEN@|$token|g" -e "s|@VERSION@|$version|g" "$here/Caddyfile" >"$tmp/caddy/Caddyfile"
	HOME=$tmp/caddy XDG_DATA_HOME=$tmp/caddy XDG_CONFIG_HOME=$tmp/caddy \
		caddy run --adapter caddyfile --config "$tmp/caddy/Caddyfile" >"$tmp/caddy/caddy.out" 2>&1 &
	pid_of[caddy]=$!
	wait_up "http://127.0.0.1:${port_of[caddy]}/"
}

# pids_of TARGET: the target's processes (nginx: master and workers).
pids_of() {
	local p=${pid_of[$1]}
	echo "$p" $(pgrep -P "$p" || true)
}

# rss_kib TARGET [FIELD]: the largest VmHWM (or FIELD, e.g. VmRSS) among the
# target's processes.
rss_kib() {
	local p max=0 v
	for p in $(pids_of "$1"); do
		v=$(awk -v f="${2:-VmHWM}:" '$1 == f {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
		((v > max)) && max=$v
	done
	echo "$max"
}
peak_rss_kib() { rss_kib "$1" VmHWM; }

# hey_at TARGET DURATION: hey against the target, keep-alive on. Only the
# direct run carries the credential itself.
hey_at() {
	local args=()
	[[ $1 == direct ]] && args=(-H "Authorization: Bearer $token" -H "Notion-Version: $version")
	hey -z "$2" -c "$conc" "${args[@]}" "http://127.0.0.1:${port_of[$1]}$path"
}

# cpu_ticks TARGET: the CPU time (user + system, in clock ticks) the
# target's processes have used so far.
cpu_ticks() {
	local p sum=0 v
	for p in $(pids_of "$1"); do
		# Fields 14 and 15 of /proc/PID/stat, counted after the command name.
		v=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

# run_hey TARGET ROUND: one load run; appends "target round rps p50 p99 cpu"
# to rounds.tsv: p50 and p99 in ms, cpu in µs of the target's own CPU time
# per request (0 for direct). On a shared machine throughput moves with the
# neighbours' load; CPU per request much less.
run_hey() {
	local t=$1 r=$2 f="$tmp/hey-$1-$2.txt" before=0 after=0
	[[ $t == direct ]] || before=$(cpu_ticks "$t")
	hey_at "$t" "$duration" >"$f"
	[[ $t == direct ]] || after=$(cpu_ticks "$t")
	grep -q '^Error distribution' "$f" && die "$t: hey saw errors: $(sed -n '/^Error distribution/,$p' "$f")"
	grep -Eq '^\s*\[[^2][0-9][0-9]\]' "$f" && die "$t: non-2xx answers: $(sed -n '/^Status code/,$p' "$f")"
	awk -v t="$t" -v r="$r" -v ticks=$((after - before)) -v hz="$clk_tck" '
		/Requests\/sec:/ {rps = $2}
		/^ *50% in/ {p50 = $3 * 1000}
		/^ *99% in/ {p99 = $3 * 1000}
		/^ *\[200\]/ {n = $2}
		END {printf "%s\t%s\t%.0f\t%.2f\t%.2f\t%.1f\n", t, r, rps, p50, p99, n ? ticks / hz * 1e6 / n : 0}' "$f" |
		tee -a "$out/rounds.tsv"
}

# run_rate TARGET ROUND: one fixed-load run; appends "target round p50 p99
# cpu" to fixed.tsv (ms, and µs of the target's CPU per request). Every
# request must succeed. At most 256 connections: a target that falls behind
# makes requests wait (in their latency) rather than exhaust loopback's
# ephemeral ports.
run_rate() {
	local t=$1 r=$2 f="$tmp/vegeta-$1-$2.json" before=0 after=0 args=()
	[[ $t == direct ]] && args=(-header "Authorization: Bearer $token" -header "Notion-Version: $version")
	[[ $t == direct ]] || before=$(cpu_ticks "$t")
	echo "GET http://127.0.0.1:${port_of[$t]}$path" |
		vegeta attack -rate "$rate" -duration "$rate_duration" -timeout 10s -max-connections 256 "${args[@]}" | vegeta report -type=json >"$f"
	[[ $t == direct ]] || after=$(cpu_ticks "$t")
	grep -q '"success":1[,}]' "$f" || die "$t: not every request at $rate/s succeeded: $(cat "$f")"
	awk -v t="$t" -v r="$r" -v ticks=$((after - before)) -v hz="$clk_tck" '
		{
			match($0, /"50th":[0-9]+/); p50 = substr($0, RSTART + 7, RLENGTH - 7)
			match($0, /"99th":[0-9]+/); p99 = substr($0, RSTART + 7, RLENGTH - 7)
			match($0, /"requests":[0-9]+/); n = substr($0, RSTART + 11, RLENGTH - 11)
		}
		END {printf "%s\t%s\t%.3f\t%.3f\t%.1f\n", t, r, p50 / 1e6, p99 / 1e6, n ? ticks / hz * 1e6 / n : 0}' "$f" |
		tee -a "$out/fixed.tsv"
}

# stream TARGET: the RSS of the target's freshly started processes when idle
# (1 s after they answered, before any request), then their peak RSS after
# streaming down_mib down, then up_mib up, then after body_requests POSTs of
# a 1 MB body, conc at a time.
stream() {
	local t=$1 base="http://127.0.0.1:${port_of[$1]}" got idle down up bodies f="$tmp/hey-bodies-$1.txt"
	sleep 1
	idle=$(rss_kib "$t" VmRSS)
	got=$(curl -sS -o /dev/null -w '%{http_code} %{size_download}' \
		"$base/v1/__fake/download?bytes=$((down_mib << 20))&length=1")
	[[ $got == "200 $((down_mib << 20))" ]] || die "$t: download answered $got"
	down=$(peak_rss_kib "$t")
	got=$(head -c $((up_mib << 20)) /dev/zero | curl -sS -X POST -T - -H 'Content-Type: application/octet-stream' \
		"$base/v1/file_uploads/00000000000040008000000000000001/send")
	[[ $got == *"\"content_length\":$((up_mib << 20))"* ]] || die "$t: upload answered ${got:0:200}"
	up=$(peak_rss_kib "$t")
	[[ -f $tmp/body ]] || head -c 1000000 /dev/zero | tr '\0' x >"$tmp/body"
	hey -n "$body_requests" -c "$conc" -m POST -T application/octet-stream -D "$tmp/body" "$base/v1/__fake/echo" >"$f"
	grep -q '^Error distribution' "$f" && die "$t: hey saw errors posting bodies: $(sed -n '/^Error distribution/,$p' "$f")"
	grep -Eq '^\s*\[[^2][0-9][0-9]\]' "$f" && die "$t: non-2xx answers to bodies: $(sed -n '/^Status code/,$p' "$f")"
	bodies=$(peak_rss_kib "$t")
	printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$(kib_mib "$idle")" "$(kib_mib "$down")" "$(kib_mib "$up")" "$(kib_mib "$bodies")" |
		tee -a "$out/rss.tsv"
}

# gc_share TARGET: "collections gc_cpu_s cpu_s share" for a proxy target
# since it started: the collector's CPU time as the runtime's gctrace lines
# count it (the five "ms cpu" phases, assists and idle marking included),
# against all the CPU time the process used. The runtime counts time its
# processors spent on collection, by the clock: where the machine is
# oversubscribed and threads wait for a core, that overstates the CPU.
gc_share() {
	local ticks
	ticks=$(cpu_ticks "$1")
	awk -v cpu="$(awk -v t="$ticks" -v hz="$clk_tck" 'BEGIN {print t / hz}')" '
		/^gc [0-9]+ @/ {
			for (i = 1; i < NF; i++) if ($(i + 1) == "ms" && $(i + 2) == "cpu,") {
				n = split($i, part, /[+\/]/)
				for (j = 1; j <= n; j++) ms += part[j]
			}
			gcs++
		}
		END {printf "%d\t%.2f\t%.2f\t%.3f\n", gcs, ms / 1000, cpu, cpu ? ms / 1000 / cpu : 0}' "$tmp/$1.log"
}

# kib_mib KIB: KIB in MiB, one decimal.
kib_mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

machine() {
	echo "cpu: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores"
	echo "kernel: $(uname -sr)"
	echo "go: $(go version 2>/dev/null | awk '{print $3}')"
	echo "notion-auth-proxy: $("$proxy_bin" version | head -1)"
	echo "nginx: $(nginx -v 2>&1 | sed 's/.*version: //')"
	echo "caddy: $(caddy version | awk '{print $1}')"
	echo "hey: $(dpkg-query -W -f '${Version}' hey 2>/dev/null || echo unknown)"
	echo "vegeta: $(go version -m "$(command -v vegeta)" 2>/dev/null | awk '$1 == "mod" {print $3}')"
	echo "load: hey -z $duration -c $conc, $rounds rounds, GET $path"
	((rate > 0)) && echo "fixed: vegeta attack -rate $rate -duration $rate_duration, $rounds rounds, GET $path"
	for t in "${proxies[@]:1}"; do echo "variant: $t ${env_of[$t]//,/ }"; done
}

machine | tee "$out/machine.txt"
printf 'target\tround\trps\tp50_ms\tp99_ms\tcpu_us\n' >"$out/rounds.tsv"
start_fake
for t in "${servers[@]}"; do start "$t"; done

# Warm up: fill every connection pool, page in every binary.
for t in "${targets[@]}"; do hey_at "$t" 1s >/dev/null; done

# Interleave: each round runs every target, starting one further along, so
# drifts in machine load spread evenly over the targets.
for r in $(seq "$rounds"); do
	for i in "${!targets[@]}"; do
		run_hey "${targets[$(((i + r - 1) % ${#targets[@]}))]}" "$r"
	done
done

# The fixed offered load, interleaved the same way.
rm -f "$out/fixed.tsv" "$out/fixed_summary.tsv" "$out/fixed_summary.md"
if ((rate > 0)); then
	printf 'target\tround\tp50_ms\tp99_ms\tcpu_us\n' >"$out/fixed.tsv"
	for r in $(seq "$rounds"); do
		for i in "${!targets[@]}"; do
			run_rate "${targets[$(((i + r - 1) % ${#targets[@]}))]}" "$r"
		done
	done
fi

printf 'target\tcollections\tgc_cpu_s\tcpu_s\tgc_share\n' >"$out/gc.tsv"
for t in "${proxies[@]}"; do
	printf '%s\t%s\n' "$t" "$(gc_share "$t")" | tee -a "$out/gc.tsv"
done

printf 'target\tpeak_rss_mib\n' >"$out/rss_load.tsv"
for t in "${servers[@]}"; do
	printf '%s\t%s\n' "$t" "$(kib_mib "$(peak_rss_kib "$t")")" >>"$out/rss_load.tsv"
done

# Streaming, on fresh processes so VmHWM covers only the transfers.
printf 'target\tidle_rss_mib\tafter_down_mib\tafter_up_mib\tafter_bodies_mib\n' >"$out/rss.tsv"
for t in "${servers[@]}"; do
	stop "$t"
	start "$t"
	stream "$t"
done

"$here/report.sh" "$out"
