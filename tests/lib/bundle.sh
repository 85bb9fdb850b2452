# shellcheck shell=bash
# tests/lib/bundle.sh: make OCI bundles from busybox-static, fast.
#
#   source tests/lib/bundle.sh
#   bundle_new DIR                   # DIR/rootfs (busybox + applet links) and DIR/config.json
#   bundle_set '.process.args = ["sh","-c","id -u"]'   # jq filter on $BUNDLE/config.json
#   bundle_set '.hostname = $h' --arg h box              # extra jq arguments pass through
#   bundle_args sh -c 'echo hi'      # shorthand for .process.args
#
# The base rootfs is built once per cache directory (BUNDLE_CACHE, default: a
# directory under BATS_RUN_TMPDIR or TMPDIR) and copied with cp -a per bundle.
# Needs: busybox-static (/bin/busybox), jq.

BUSYBOX=${BUSYBOX:-/bin/busybox}
BUNDLE_CACHE=${BUNDLE_CACHE:-${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/ward-rootfs-cache}

# The config template: close to `runc spec`, but with no capabilities and no
# masked/readonly paths, so each test adds exactly what it asserts on.
bundle_template() {
	jq -n '{
	  ociVersion: "1.0.2",
	  process: {
	    terminal: false,
	    user: {uid: 0, gid: 0},
	    args: ["sh"],
	    env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
	    cwd: "/"
	  },
	  root: {path: "rootfs", readonly: false},
	  hostname: "ward",
	  mounts: [
	    {destination: "/proc", type: "proc", source: "proc"},
	    {destination: "/dev", type: "tmpfs", source: "tmpfs",
	     options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
	    {destination: "/dev/pts", type: "devpts", source: "devpts",
	     options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
	    {destination: "/dev/shm", type: "tmpfs", source: "shm",
	     options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
	    {destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
	     options: ["nosuid", "noexec", "nodev"]},
	    {destination: "/sys", type: "sysfs", source: "sysfs",
	     options: ["nosuid", "noexec", "nodev", "ro"]}
	  ],
	  linux: {
	    namespaces: [{type: "pid"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}, {type: "network"}]
	  }
	}'
}

# bundle_rootfs_base: path of the cached base rootfs, built on first use.
bundle_rootfs_base() {
	local base=$BUNDLE_CACHE/rootfs tmp applet
	if [ ! -e "$base/.complete" ]; then
		mkdir -p "$BUNDLE_CACHE"
		(
			# One builder at a time (bats --jobs); the others wait and reuse it.
			flock 9
			[ -e "$base/.complete" ] && exit 0
			tmp=$(mktemp -d "$BUNDLE_CACHE/build.XXXXXX")
			mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home}
			chmod 755 "$tmp"
			chmod 1777 "$tmp/tmp"
			cp "$BUSYBOX" "$tmp/bin/busybox"
			for applet in $("$BUSYBOX" --list); do
				[ "$applet" = busybox ] || ln -s busybox "$tmp/bin/$applet"
			done
			printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
				'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' > "$tmp/etc/passwd"
			printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' > "$tmp/etc/group"
			touch "$tmp/.complete"
			rm -rf "$base"
			mv "$tmp" "$base"
		) 9> "$BUNDLE_CACHE/.lock"
	fi
	printf '%s\n' "$base"
}

# bundle_new DIR: a fresh bundle in DIR (created); sets BUNDLE=DIR.
bundle_new() {
	local dir=$1 base
	base=$(bundle_rootfs_base)
	mkdir -p "$dir"
	cp -a "$base" "$dir/rootfs"
	rm -f "$dir/rootfs/.complete"
	bundle_template > "$dir/config.json"
	BUNDLE=$(cd "$dir" && pwd -P)
	export BUNDLE
}

# bundle_set FILTER [JQ OPTIONS...]: edit $BUNDLE/config.json in place with jq,
# e.g. bundle_set '.hostname = $h' --arg h box.
bundle_set() {
	local filter=$1
	shift
	_bundle_jq "$@" "$filter"
}

# bundle_args ARG...: set .process.args to exactly the given words.
# (jq's --args would still parse words such as -c as its own options.)
bundle_args() {
	# shellcheck disable=SC2016 # $a is jq's
	bundle_set '.process.args = $a' --argjson a "$(json_array "$@")"
}

# json_array WORD...: a JSON array of the words, built with --arg so that no
# word is ever taken for a jq option.
json_array() {
	local -a opts=()
	local filter='' i=0 word
	for word in "$@"; do
		opts+=(--arg "a$i" "$word")
		filter+="${filter:+,}\$a$i"
		i=$((i + 1))
	done
	jq -cn "${opts[@]}" "[$filter]"
}

_bundle_jq() {
	local tmp
	tmp=$(mktemp "$BUNDLE/.config.XXXXXX")
	if jq "$@" < "$BUNDLE/config.json" > "$tmp"; then
		mv "$tmp" "$BUNDLE/config.json"
	else
		rm -f "$tmp"
		echo "bundle_set: jq failed: $*" >&2
		return 1
	fi
}
