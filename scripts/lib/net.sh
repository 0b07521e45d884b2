# shellcheck shell=bash
# Sourced by the scripts that start local servers: free loopback ports, polling an HTTP endpoint with a deadline
# (never a fixed sleep as synchronisation), and a moto_server of their own.

# free_port: prints a TCP port that is free on 127.0.0.1 right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL SECONDS [STATUS]: polls until URL answers (with STATUS when given, any status otherwise) or the
# deadline passes (then says so on stderr and returns 1).
wait_http() {
  local url=$1 deadline=$((SECONDS + $2)) want=${3:-} got
  while :; do
    got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)
    if [ -n "$want" ]; then [ "$got" = "$want" ] && return 0; else [ "$got" != 000 ] && return 0; fi
    if [ $SECONDS -ge "$deadline" ]; then
      echo "timed out after $2 s waiting for $url (last status $got${want:+, wanted $want})" >&2
      return 1
    fi
    sleep 0.2
  done
}

# start_moto LOG [PORT]: starts moto_server on 127.0.0.1:PORT (a free port when omitted), waits until it answers,
# and sets MOTO_PID and MOTO_ENDPOINT. The caller stops it (kill "$MOTO_PID") in its own EXIT trap.
# shellcheck disable=SC2034 # MOTO_PID and MOTO_ENDPOINT are for the caller
start_moto() {
  local log=$1 port=${2:-$(free_port)}
  moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  MOTO_PID=$!
  MOTO_ENDPOINT="http://127.0.0.1:$port"
  wait_http "$MOTO_ENDPOINT/moto-api/" 30 || { cat "$log" >&2; return 1; }
}
