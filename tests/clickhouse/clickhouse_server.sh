#!/usr/bin/env bash
# Starts or stops a private clickhouse-server for the tests: `clickhouse_server.sh start DIR`
# writes DIR/config.xml and DIR/users.xml, starts the server as the current user on 127.0.0.1
# with free ports, waits for /ping and writes DIR/url and DIR/pid; `stop DIR` ends that pid.
# Users: `default` without a password and `analyst` with the password in DIR/analyst.password.
set -euo pipefail
action=${1:-}
dir=${2:-}
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi
server=${LOADLENS_CLICKHOUSE_SERVER:-/usr/sbin/clickhouse-server}

stop_server() {
  [ -f "$dir/pid" ] || return 0
  local pid
  pid=$(cat "$dir/pid")
  rm -f "$dir/pid" "$dir/url"
  # Only the process this script started: its command line names our config file.
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
     tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--config-file=$dir/config.xml"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || return 0
      sleep 0.2
    done
    echo "clickhouse-server $pid did not stop after SIGTERM; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

case "$action" in
stop)
  stop_server
  exit 0
  ;;
start) ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac

if [ ! -x "$server" ]; then
  echo "clickhouse-server not found at $server: install the Debian packages clickhouse-server and clickhouse-client (scripts/install-deps.sh)" >&2
  exit 1
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
stop_server   # a server left over from an interrupted run
rm -rf "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$dir/url"
mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas"
: >"$dir/server.log"
: >"$dir/err.log"

# Two free ports: bound to port 0 and released, so the kernel picked them.
read -r http_port tcp_port < <(python3 -c '
import socket
socks = []
for _ in range(2):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(*[s.getsockname()[1] for s in socks])
')
password=analyst-pw-$RANDOM$RANDOM
printf '%s\n' "$password" >"$dir/analyst.password"

cat >"$dir/config.xml" <<XML
<yandex>
  <logger><level>warning</level><log>$dir/server.log</log><errorlog>$dir/err.log</errorlog><console>0</console></logger>
  <http_port>$http_port</http_port>
  <tcp_port>$tcp_port</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709</mark_cache_size>
  <uncompressed_cache_size>8589934</uncompressed_cache_size>
</yandex>
XML
cat >"$dir/users.xml" <<XML
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <analyst><password>$password</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></analyst>
  </users>
  <quotas><default></default></quotas>
</yandex>
XML

# The server runs in its own session so that CTest's end of this script does not end it.
setsid "$server" --config-file="$dir/config.xml" >"$dir/stdout.log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$dir/pid"

# Up to 60 s for /ping to answer "Ok.", as long as the server runs.
if python3 - "$pid" "$http_port" <<'PY'
import os, sys, time, urllib.request
pid, port = int(sys.argv[1]), sys.argv[2]
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(2)
    try:
        if urllib.request.urlopen("http://127.0.0.1:%s/ping" % port, timeout=2).read().startswith(b"Ok."):
            sys.exit(0)
    except Exception:
        pass
    time.sleep(0.1)
sys.exit(1)
PY
then
  echo "clickhouse://127.0.0.1:$http_port/" >"$dir/url"
  echo "clickhouse-server $pid listening on 127.0.0.1:$http_port"
  exit 0
fi
if ! kill -0 "$pid" 2>/dev/null; then
  echo "clickhouse-server exited during start-up; its logs:" >&2
  cat "$dir/stdout.log" "$dir/err.log" >&2
  rm -f "$dir/pid"
  exit 1
fi
echo "clickhouse-server did not answer /ping on 127.0.0.1:$http_port within 60 s; its logs:" >&2
cat "$dir/stdout.log" "$dir/err.log" >&2
stop_server
exit 1
