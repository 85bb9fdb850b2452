#!/usr/bin/python3
# tests/e2e/cri.py: a minimal CRI (Kubernetes Container Runtime Interface,
# runtime.v1) client, to run a pod with a RuntimeClass handler through
# containerd's CRI plugin as the kubelet does (there is no crictl in Debian 12).
# The protobuf messages are encoded by hand (only the fields used here; field
# numbers from k8s.io/cri-api runtime/v1 api.proto), grpcio carries them.
#
#   cri.py SOCKET run HANDLER IMAGE SANDBOX_IMAGE [--user UID:GID] [--read-only]
#          [--drop-all-caps] [--no-new-privs] [--privileged] [--state-dir DIR] -- CMD...
#
# Runs a pod (host network: no CNI needed) with runtime handler HANDLER, a
# container from IMAGE that sleeps, execs CMD in it (ExecSync), prints CMD's
# stdout and stderr, then removes the pod. The first line printed is
# "ids POD CONTAINER", then (with --state-dir) "state: " and the runtime's
# DIR/CONTAINER/state.json while the container runs; the exit status is CMD's.
import os
import sys
import time

import grpc

SERVICE = "/runtime.v1.RuntimeService/"


def varint(n):
    out = b""
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(num, value):
    """One field: int/bool as varint, str/bytes as length-delimited."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return varint(num << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(num << 3 | 2) + varint(len(value)) + value


def msg(*fields):
    return b"".join(f for f in fields if f)


def parse(data):
    """{field number: [values]}: varints as int, length-delimited as bytes."""
    out, i = {}, 0
    while i < len(data):
        key, i = read_varint(data, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = read_varint(data, i)
        elif wire == 2:
            n, i = read_varint(data, i)
            v, i = data[i : i + n], i + n
        elif wire == 1:
            v, i = data[i : i + 8], i + 8
        elif wire == 5:
            v, i = data[i : i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wire)
        out.setdefault(num, []).append(v)
    return out


def read_varint(data, i):
    n = shift = 0
    while True:
        b = data[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def main():
    sock, cmd = sys.argv[1], sys.argv[2]
    if cmd != "run":
        sys.exit("usage: cri.py SOCKET run HANDLER IMAGE SANDBOX_IMAGE [options] -- CMD...")
    handler, image, sandbox_image = sys.argv[3:6]
    rest = sys.argv[6:]
    opts = rest[: rest.index("--")]
    command = rest[rest.index("--") + 1 :]
    user = None
    if "--user" in opts:
        user = [int(x) for x in opts[opts.index("--user") + 1].split(":")]

    channel = grpc.insecure_channel("unix://" + sock)

    def call(method, request):
        return channel.unary_unary(SERVICE + method)(request, timeout=60)

    node_ns = field(1, msg(field(1, 2), field(2, 1), field(3, 2)))  # network NODE, pid CONTAINER, ipc NODE
    uid = str(time.time_ns())
    sandbox_config = msg(
        field(1, msg(field(1, "ward-e2e"), field(2, uid), field(3, "default"))),
        # no hostname: the host's UTS namespace goes with the host network (as the kubelet does)
        field(8, msg(field(2, msg(node_ns)))),
    )
    pod = parse(call("RunPodSandbox", msg(field(1, sandbox_config), field(2, handler))))[1][0].decode()
    status = 1
    try:
        sc = []
        if "--privileged" in opts:
            sc.append(field(2, True))
        if user:
            sc.append(field(5, msg(field(1, user[0]))))
            sc.append(field(12, msg(field(1, user[1]))))
        if "--read-only" in opts:
            sc.append(field(7, True))
        if "--drop-all-caps" in opts:
            sc.append(field(1, msg(field(2, "ALL"))))
        if "--no-new-privs" in opts:
            sc.append(field(11, True))
        container_config = msg(
            field(1, msg(field(1, "main"))),
            field(2, msg(field(1, image))),
            *[field(3, w) for w in ["sleep", "100000"]],
            field(15, msg(field(2, msg(*sc)))),
        )
        ctr = parse(
            call(
                "CreateContainer",
                msg(field(1, pod), field(2, container_config), field(3, sandbox_config)),
            )
        )[1][0].decode()
        call("StartContainer", msg(field(1, ctr)))
        print("ids", pod, ctr, flush=True)
        if "--state-dir" in opts:
            path = os.path.join(opts[opts.index("--state-dir") + 1], ctr, "state.json")
            try:
                with open(path) as f:
                    print("state:", f.read().replace("\n", " "), flush=True)
            except OSError as e:
                print("state: missing:", e, flush=True)
        res = parse(call("ExecSync", msg(field(1, ctr), *[field(2, w) for w in command], field(3, 30))))
        sys.stdout.write(res.get(1, [b""])[0].decode(errors="replace"))
        sys.stdout.write(res.get(2, [b""])[0].decode(errors="replace"))
        status = res.get(3, [0])[0]
    finally:
        call("StopPodSandbox", msg(field(1, pod)))
        call("RemovePodSandbox", msg(field(1, pod)))
    sys.exit(status)


main()
