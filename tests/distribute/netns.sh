#!/usr/bin/env bash
# tests/distribute/netns.sh - the 2-rank equivalence check across two network namespaces
# joined by a veth pair, so the ranks talk TCP over a real (virtual) link rather than
# shared memory or loopback. mpirun runs in the first namespace; it starts the second
# rank's daemon through an rsh agent that enters the second namespace (as ssh would start
# it on another host). Usage: netns.sh DIST_CHECK TMPDIR. Exits 77 (skipped) where
# network namespaces cannot be made (no root, no `ip`, a container without CAP_NET_ADMIN).
set -uo pipefail
BIN=$1 tmp=$2
id=$$ ns_a=kcpp_a$$ ns_b=kcpp_b$$ veth_a=kva$$ veth_b=kvb$$
net=10.$((id % 200 + 20)).$((id / 200 % 250)).0 ip_a=${net%.0}.1 ip_b=${net%.0}.2
cleanup() { ip netns del "$ns_a" 2>/dev/null; ip netns del "$ns_b" 2>/dev/null; }
trap cleanup EXIT
if ! command -v ip >/dev/null || ! ip netns add "$ns_a" 2>/dev/null; then
  echo "SKIPPED netns: cannot create network namespaces here (needs root and iproute2)"; exit 77
fi
ip netns add "$ns_b" && ip link add "$veth_a" type veth peer name "$veth_b" &&
  ip link set "$veth_a" netns "$ns_a" && ip link set "$veth_b" netns "$ns_b" &&
  ip -n "$ns_a" addr add "$ip_a/24" dev "$veth_a" && ip -n "$ns_b" addr add "$ip_b/24" dev "$veth_b" &&
  ip -n "$ns_a" link set "$veth_a" up && ip -n "$ns_b" link set "$veth_b" up &&
  ip -n "$ns_a" link set lo up && ip -n "$ns_b" link set lo up ||
  { echo "SKIPPED netns: cannot set up the veth pair"; exit 77; }
# The rsh agent: "agent [ssh options] HOST COMMAND..." runs COMMAND in HOST's namespace.
cat >"$tmp/netns_agent.sh" <<AGENT
#!/bin/sh
while [ "\${1#-}" != "\$1" ]; do shift; done
host=\$1; shift
[ "\$host" = "$ip_b" ] || { echo "netns agent: unknown host \$host" >&2; exit 1; }
exec ip netns exec "$ns_b" /bin/sh -c "\$*"
AGENT
chmod +x "$tmp/netns_agent.sh"
before=$(ip -n "$ns_a" -s -j link show "$veth_a" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["bytes"])')
timeout 300 ip netns exec "$ns_a" mpirun -np 2 --host "$ip_a:1,$ip_b:1" --allow-run-as-root --oversubscribe \
  --bind-to none --mca plm_rsh_agent "$tmp/netns_agent.sh" --mca btl self,tcp \
  --mca btl_tcp_if_include "$net/24" --mca oob_tcp_if_include "$net/24" "$BIN" equivalence 256 1
rc=$?
after=$(ip -n "$ns_a" -s -j link show "$veth_a" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["bytes"])')
echo "veth $veth_a sent $((after - before)) bytes"
exit $rc
