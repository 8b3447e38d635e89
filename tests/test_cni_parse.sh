# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# pairpath-cni's parsers (user/cni/conf.c, env.c, version.c): every refusal
# is the spec's error JSON with its code and one exact message, printed in
# the config's cniVersion where it could be read. Nothing here gets past
# parsing, so nothing is made: no netns, no pins.

CNI_BIN=${PAIRPATH_CNI:-$PP_TOP/.output/test/pairpath-cni}
CNI_OK_ENV=(CNI_COMMAND=ADD CNI_CONTAINERID=ctr1 CNI_NETNS=/run/netns/none
	    CNI_IFNAME=eth0 CNI_PATH=/nonexistent)

cni_parse_run() {	# config env...: the plugin's stdout and exit status
	local conf=$1
	shift
	printf '%s' "$conf" | env -i "$@" "$CNI_BIN"
}

cni_parse_expect() {	# expected-stdout config env...
	local want=$1 out rc
	shift
	out=$(cni_parse_run "$@")
	rc=$?
	expect_eq "$rc $out" "1 $want" "pairpath-cni with $(printf '%s' "$1" | head -c 60)"
}

cni_parse_conf() {	# extra JSON members
	printf '{"cniVersion":"1.0.0","name":"ppnet","type":"pairpath-cni","ipam":{"type":"host-local"}%s}' "$1"
}

test_cni_parse_env() {
	local c
	c=$(cni_parse_conf '')
	cni_parse_expect '{"cniVersion":"1.1.0","code":4,"msg":"CNI_COMMAND is not set"}' "$c"
	cni_parse_expect '{"cniVersion":"1.1.0","code":4,"msg":"CNI_COMMAND '"'"'PUT'"'"' is not ADD, DEL, CHECK, STATUS, GC or VERSION"}' \
		"$c" CNI_COMMAND=PUT
	cni_parse_expect '{"cniVersion":"1.1.0","code":4,"msg":"CNI_CONTAINERID is not set"}' \
		"$c" CNI_COMMAND=ADD CNI_IFNAME=eth0 CNI_NETNS=/x CNI_PATH=/x
	cni_parse_expect '{"cniVersion":"1.1.0","code":4,"msg":"CNI_CONTAINERID '"'"'-x'"'"' is not a valid container ID"}' \
		"$c" "${CNI_OK_ENV[@]}" CNI_CONTAINERID=-x
	cni_parse_expect '{"cniVersion":"1.1.0","code":4,"msg":"CNI_IFNAME '"'"'a/b'"'"' is not a valid interface name"}' \
		"$c" "${CNI_OK_ENV[@]}" CNI_IFNAME=a/b
	cni_parse_expect '{"cniVersion":"1.1.0","code":4,"msg":"CNI_IFNAME '"'"'eth0123456789abc'"'"' is not a valid interface name"}' \
		"$c" "${CNI_OK_ENV[@]}" CNI_IFNAME=eth0123456789abc
	cni_parse_expect '{"cniVersion":"1.1.0","code":4,"msg":"CNI_NETNS is not set"}' \
		"$c" CNI_COMMAND=CHECK CNI_CONTAINERID=c CNI_IFNAME=eth0 CNI_PATH=/x
	cni_parse_expect '{"cniVersion":"1.1.0","code":4,"msg":"CNI_NETNS '"'"'netns/x'"'"' is not an absolute path"}' \
		"$c" "${CNI_OK_ENV[@]}" CNI_NETNS=netns/x
	cni_parse_expect '{"cniVersion":"1.1.0","code":4,"msg":"CNI_PATH is not set"}' \
		"$c" CNI_COMMAND=DEL CNI_CONTAINERID=c CNI_IFNAME=eth0
	cni_parse_expect '{"cniVersion":"1.1.0","code":4,"msg":"CNI_ARGS '"'"'IgnoreUnknown=1;=x'"'"' is not KEY=VALUE;..."}' \
		"$c" "${CNI_OK_ENV[@]}" "CNI_ARGS=IgnoreUnknown=1;=x"
}

test_cni_parse_conf() {
	local e=("${CNI_OK_ENV[@]}")
	cni_parse_expect '{"cniVersion":"1.1.0","code":6,"msg":"the network config is not a JSON object"}' \
		'{"cniVersion":' "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.1.0","code":6,"msg":"the network config is not a JSON object"}' \
		'[1]' "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.1.0","code":7,"msg":"cniVersion is missing"}' \
		'{"name":"n","type":"pairpath-cni"}' "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.1.0","code":1,"msg":"cniVersion '"'"'2.0.0'"'"' is not supported (0.1.0 to 1.1.0)"}' \
		'{"cniVersion":"2.0.0","name":"n","type":"pairpath-cni"}' "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.0.0","code":7,"msg":"name \"-n\" is not a network name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)"}' \
		'{"cniVersion":"1.0.0","name":"-n","type":"pairpath-cni"}' "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.0.0","code":7,"msg":"type \"bridge\" is not \"pairpath-cni\""}' \
		'{"cniVersion":"1.0.0","name":"n","type":"bridge"}' "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.0.0","code":7,"msg":"pinRoot \"/sys/fs/bpf/../x\" is not an absolute path without . or .. parts"}' \
		"$(cni_parse_conf ',"pinRoot":"/sys/fs/bpf/../x"')" "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.0.0","code":7,"msg":"mtu 67 is not a whole number from 68 to 65535"}' \
		"$(cni_parse_conf ',"mtu":67')" "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.0.0","code":7,"msg":"mtu \"1500\" is not a whole number from 68 to 65535"}' \
		"$(cni_parse_conf ',"mtu":"1500"')" "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.0.0","code":7,"msg":"fib 1 is not true or false"}' \
		"$(cni_parse_conf ',"fib":1')" "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.0.0","code":7,"msg":"ipam is missing"}' \
		'{"cniVersion":"1.0.0","name":"n","type":"pairpath-cni"}' "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.0.0","code":7,"msg":"ipam.type is missing"}' \
		'{"cniVersion":"1.0.0","name":"n","type":"pairpath-cni","ipam":{}}' "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.0.0","code":7,"msg":"ipam.type \"../sh\" is not a plugin name"}' \
		'{"cniVersion":"1.0.0","name":"n","type":"pairpath-cni","ipam":{"type":"../sh"}}' "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.0.0","code":7,"msg":"ipam.type \"pairpath-cni\" is this plugin: IPAM is another one"}' \
		'{"cniVersion":"1.0.0","name":"n","type":"pairpath-cni","ipam":{"type":"pairpath-cni"}}' "${e[@]}"
	cni_parse_expect '{"cniVersion":"1.0.0","code":7,"msg":"cni.dev/valid-attachments is missing"}' \
		"$(cni_parse_conf '')" CNI_COMMAND=GC
	cni_parse_expect '{"cniVersion":"1.0.0","code":7,"msg":"cni.dev/valid-attachments {\"containerID\":\"c\"} is not {\"containerID\": ..., \"ifname\": ...}"}' \
		"$(cni_parse_conf ',"cni.dev/valid-attachments":[{"containerID":"c"}]')" CNI_COMMAND=GC
}

# Keys of the runtime's are ignored; the version asked is answered in.
test_cni_parse_version() {
	local out
	out=$(cni_parse_run "$(cni_parse_conf ',"runtimeConfig":{"portMappings":[]},"args":{"x":1},"cni.dev/x":2')" \
		CNI_COMMAND=VERSION)
	expect_eq "$? $out" '0 {"cniVersion":"1.0.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}' "VERSION"
	out=$(cni_parse_run '{"cniVersion":"9.9.9"}' CNI_COMMAND=VERSION)
	expect_eq "$? $out" '0 {"cniVersion":"1.1.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}' "VERSION of an unknown version"
	out=$(cni_parse_run '' CNI_COMMAND=VERSION)
	expect_eq "$? $out" '0 {"cniVersion":"1.1.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}' "VERSION without a config"
	# An error after the version is known speaks that version.
	cni_parse_expect '{"cniVersion":"0.4.0","code":7,"msg":"mtu 0 is not a whole number from 68 to 65535"}' \
		'{"cniVersion":"0.4.0","name":"n","type":"pairpath-cni","mtu":0,"ipam":{"type":"h"}}' "${CNI_OK_ENV[@]}"
}
