#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make demo: two demo containers and a host, each a private network
# namespace; pairpath cross-connects them, traffic flows, the counters
# show it; then the same containers as routed-mode endpoints; and
# everything is removed again.
set -u
cd "$(dirname "$0")/.."
source tests/lib.sh
PAIRPATH=$PP_TOP/.output/pairpath

if [ -t 1 ]; then
	step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
else
	step() { printf '\n$ %s\n' "$*"; }
fi

trap fixture_down EXIT
fixture_up demo || { echo "demo: cannot build the namespaces" >&2; exit 1; }
echo "demo: host netns $NS_H with vethA, vethB; containers $NS_A (10.77.0.1) and $NS_B (10.77.0.2)"

step "pairpath -n $NS_H attach web-db vethA vethB"
pp attach web-db vethA vethB || exit 1

step "pairpath -n $NS_H status"
pp status

step "ip netns exec $NS_A ping -c 3 10.77.0.2"
in_a ping -c 3 -i 0.2 -W 1 10.77.0.2 || exit 1

step "TCP: 64 MiB from A to B, SHA-256 compared at both ends"
port=$((20000 + $$ % 10000))
in_b timeout 30 $PY - "$port" >"$FX_TMP/rx" <<'PYEOF' &
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", int(sys.argv[1]))); s.listen(1)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    b = c.recv(1 << 20)
    if not b: break
    h.update(b); n += len(b)
print(n, h.hexdigest())
PYEOF
rx_pid=$!
sleep 0.5
in_a timeout 30 $PY - "$port" <<'PYEOF' || exit 1
import hashlib, socket, sys, time
chunk = hashlib.sha256(b"pairpath").digest() * 32768   # 1 MiB
s = socket.create_connection(("10.77.0.2", int(sys.argv[1])))
h = hashlib.sha256(); t = time.time()
for _ in range(64):
    s.sendall(chunk); h.update(chunk)
s.close()
print(f"sent 67108864 bytes in {time.time() - t:.2f}s, sha256 {h.hexdigest()}")
PYEOF
wait $rx_pid
read -r bytes sum <"$FX_TMP/rx"
echo "received $bytes bytes, sha256 $sum"

step "pairpath -n $NS_H stats"
pp stats

step "pairpath -n $NS_H stats --format prometheus | grep -v '^#'"
pp stats --format prometheus | grep -v '^#'

step "pairpath -n $NS_H detach web-db"
pp detach web-db || exit 1
in_a ping -c 1 -W 1 10.77.0.2 >/dev/null 2>&1 && { echo "demo: still forwarding after detach" >&2; exit 1; }
echo "A and B are apart again: without pairpath the host does not forward between them"

echo
echo "demo: routed mode: A and B readdressed Calico-style, /32 behind the gateway 169.254.1.1"
for ns in "$NS_A" "$NS_B"; do
	ip -n "$ns" addr flush dev eth0 scope global
	ip -n "$ns" addr add "10.78.0.$([ "$ns" = "$NS_A" ] && echo 1 || echo 2)/32" dev eth0
	ip -n "$ns" route add 169.254.1.1 dev eth0 scope link
	ip -n "$ns" route add default via 169.254.1.1 dev eth0
done

step "pairpath -n $NS_H endpoint add web vethA --ip 10.78.0.1"
pp endpoint add web vethA --ip 10.78.0.1 || exit 1
step "pairpath -n $NS_H endpoint add db vethB --ip 10.78.0.2"
pp endpoint add db vethB --ip 10.78.0.2 || exit 1

step "pairpath -n $NS_H endpoint list"
pp endpoint list

step "ip netns exec $NS_A ping -c 3 10.78.0.2"
in_a ping -c 3 -i 0.2 -W 1 10.78.0.2 || exit 1

step "ip -n $NS_A neigh show 169.254.1.1   # answered by the program, not the host"
ip -n "$NS_A" neigh show 169.254.1.1

step "pairpath -n $NS_H stats"
pp stats

step "pairpath -n $NS_H reset"
pp reset
echo
echo "demo: done; namespaces and pins are removed on exit"
