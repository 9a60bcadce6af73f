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
#   BENCH_PORT [18710]     first of five consecutive loopback ports
#   BENCH_DOWN_MIB [256]   size streamed down through each proxy for peak RSS
#   BENCH_UP_MIB [128]     size streamed up through each proxy for peak RSS
#
# OUTDIR receives rounds.tsv (one line per run), summary.tsv and summary.md
# (medians per target), rss.tsv, machine.txt and benchmarks.png. The token is
# a fake one, like `make demo`'s; nothing leaves the loopback interface.
set -euo pipefail

out=${1:?usage: bench/load.sh OUTDIR}
rounds=${BENCH_ROUNDS:-5}
duration=${BENCH_DURATION:-5s}
conc=${BENCH_CONCURRENCY:-32}
port=${BENCH_PORT:-18710}
down_mib=${BENCH_DOWN_MIB:-256}
up_mib=${BENCH_UP_MIB:-128}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
proxy_bin=$root/bin/notion-auth-proxy
fake_bin=$root/bin/fakenotion

token=ntn_bench_token_not_a_real_secret
version=2025-09-03
path=/v1/users/me
targets=(direct proxy nginx caddy)
declare -A port_of=([fake]=$port [direct]=$port [proxy]=$((port + 1)) [nginx]=$((port + 2)) [caddy]=$((port + 3)))

die() { echo "bench: $*" >&2; exit 1; }

for tool in hey nginx caddy curl gnuplot; do
	command -v "$tool" >/dev/null || die "$tool is missing; install it with: apt-get install -y $(
		case $tool in gnuplot) echo gnuplot-nox ;; *) echo "$tool" ;; esac)"
done
[[ -x $proxy_bin && -x $fake_bin ]] || die "build first: make build and bin/fakenotion (make bench-load does both)"
for p in "${port_of[@]}"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		die "port $p is in use; set BENCH_PORT to the first of four free ports"
	fi
done

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

# start_proxy runs the binary as deployed: zero-config, JSON access log at
# info level (to a file), pacing off so the benchmark measures the data path.
start_proxy() {
	mkdir -p "$tmp/state"
	env -u NOTION_PROXY_CONFIG XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/state" \
		NOTION_API_TOKEN="$token" \
		NOTION_PROXY_UPSTREAM="http://127.0.0.1:${port_of[fake]}" \
		NOTION_PROXY_LISTEN="127.0.0.1:${port_of[proxy]}" \
		NOTION_PROXY_RATE_LIMIT_REQUESTS_PER_SECOND=0 \
		NOTION_PROXY_MAX_BODY_BYTES=$(((up_mib + 1) << 20)) \
		"$proxy_bin" serve 2>>"$tmp/proxy.log" &
	pid_of[proxy]=$!
	wait_up "http://127.0.0.1:${port_of[proxy]}/healthz"
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

# peak_rss_kib TARGET: the largest VmHWM among the target's processes.
peak_rss_kib() {
	local p max=0 v
	for p in $(pids_of "$1"); do
		v=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
		((v > max)) && max=$v
	done
	echo "$max"
}

# hey_at TARGET DURATION: hey against the target, keep-alive on. Only the
# direct run carries the credential itself.
hey_at() {
	local args=()
	[[ $1 == direct ]] && args=(-H "Authorization: Bearer $token" -H "Notion-Version: $version")
	hey -z "$2" -c "$conc" "${args[@]}" "http://127.0.0.1:${port_of[$1]}$path"
}

# run_hey TARGET ROUND: one load run; appends "target round rps p50 p99" in
# ms to rounds.tsv.
run_hey() {
	local t=$1 r=$2 f="$tmp/hey-$1-$2.txt"
	hey_at "$t" "$duration" >"$f"
	grep -q '^Error distribution' "$f" && die "$t: hey saw errors: $(sed -n '/^Error distribution/,$p' "$f")"
	grep -Eq '^\s*\[[^2][0-9][0-9]\]' "$f" && die "$t: non-2xx answers: $(sed -n '/^Status code/,$p' "$f")"
	awk -v t="$t" -v r="$r" '
		/Requests\/sec:/ {rps = $2}
		/^ *50% in/ {p50 = $3 * 1000}
		/^ *99% in/ {p99 = $3 * 1000}
		END {printf "%s\t%s\t%.0f\t%.2f\t%.2f\n", t, r, rps, p50, p99}' "$f" | tee -a "$out/rounds.tsv"
}

# stream TARGET: peak RSS of the target's processes after streaming
# down_mib down and then up_mib up through it, on freshly started processes.
stream() {
	local t=$1 base="http://127.0.0.1:${port_of[$1]}" got down up
	got=$(curl -sS -o /dev/null -w '%{http_code} %{size_download}' \
		"$base/v1/__fake/download?bytes=$((down_mib << 20))&length=1")
	[[ $got == "200 $((down_mib << 20))" ]] || die "$t: download answered $got"
	down=$(peak_rss_kib "$t")
	got=$(head -c $((up_mib << 20)) /dev/zero | curl -sS -X POST -T - -H 'Content-Type: application/octet-stream' \
		"$base/v1/file_uploads/00000000000040008000000000000001/send")
	[[ $got == *"\"content_length\":$((up_mib << 20))"* ]] || die "$t: upload answered ${got:0:200}"
	up=$(peak_rss_kib "$t")
	printf '%s\t%d\t%d\n' "$t" $((down / 1024)) $((up / 1024)) | tee -a "$out/rss.tsv"
}

machine() {
	echo "cpu: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores"
	echo "kernel: $(uname -sr)"
	echo "go: $(go version 2>/dev/null | awk '{print $3}')"
	echo "notion-auth-proxy: $("$proxy_bin" version | head -1)"
	echo "nginx: $(nginx -v 2>&1 | sed 's/.*version: //')"
	echo "caddy: $(caddy version | awk '{print $1}')"
	echo "hey: $(dpkg-query -W -f '${Version}' hey 2>/dev/null || echo unknown)"
	echo "load: hey -z $duration -c $conc, $rounds rounds, GET $path"
}

machine | tee "$out/machine.txt"
printf 'target\tround\trps\tp50_ms\tp99_ms\n' >"$out/rounds.tsv"
start_fake
start_proxy
start_nginx
start_caddy

# Warm up: fill every connection pool, page in every binary.
for t in "${targets[@]}"; do hey_at "$t" 1s >/dev/null; done

# Interleave: each round runs every target, starting one further along, so
# drifts in machine load spread evenly over the targets.
for r in $(seq "$rounds"); do
	for i in "${!targets[@]}"; do
		run_hey "${targets[$(((i + r - 1) % ${#targets[@]}))]}" "$r"
	done
done

printf 'target\tpeak_rss_mib\n' >"$out/rss_load.tsv"
for t in proxy nginx caddy; do
	printf '%s\t%d\n' "$t" $(($(peak_rss_kib "$t") / 1024)) >>"$out/rss_load.tsv"
done

# Streaming, on fresh processes so VmHWM covers only the transfers.
printf 'target\tafter_down_mib\tafter_up_mib\n' >"$out/rss.tsv"
for t in proxy nginx caddy; do
	stop "$t"
	"start_$t"
	stream "$t"
done

"$here/report.sh" "$out"
