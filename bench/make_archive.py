#!/usr/bin/env python3
"""Write a synthetic docker-archive (`docker save` layout) of about SIZE_MB
megabytes for benchmarks: a base layer of many small and some large files,
then layers that overwrite, delete (whiteouts) and add files, so the analysis
has waste to find. Content is pseudo-random (incompressible) and seeded.

usage: bench/make_archive.py OUT.tar [SIZE_MB]
"""
import hashlib
import io
import json
import os
import random
import sys
import tarfile

out = sys.argv[1]
total = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
rng = random.Random(42)
block = rng.randbytes(1 << 20)


def data(size):
    reps = size // len(block) + 1
    return (block * reps)[:size]


def layer(files, whiteouts=()):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        dirs = set()
        for path, size in files:
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    info = tarfile.TarInfo(d)
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o755
                    t.addfile(info)
            info = tarfile.TarInfo(path)
            info.size = size
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data(size)))
        for path in whiteouts:
            head, _, name = path.rpartition("/")
            info = tarfile.TarInfo(f"{head}/.wh.{name}" if head else f".wh.{name}")
            t.addfile(info, io.BytesIO(b""))
    return buf.getvalue()


budget = total << 20
base = [(f"usr/lib/pkg{i // 100}/file{i}.so", rng.randint(1_000, 60_000)) for i in range(20_000)]
base += [(f"opt/big/blob{i}.bin", 40 << 20) for i in range(max(1, (budget // 2) // (40 << 20)))]
layers = [layer(base)]
layers.append(layer([(f"usr/lib/pkg{i // 100}/file{i}.so", 30_000) for i in range(0, 20_000, 7)]))
layers.append(layer([(f"app/data/{i}.dat", 1 << 20) for i in range(budget // 4 // (1 << 20))]))
layers.append(layer([], whiteouts=[f"opt/big/blob{i}.bin" for i in range(3)]))
layers.append(layer([(f"var/cache/apt/archives/p{i}.deb", 2 << 20) for i in range(40)]))

diff_ids = ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
config = {
    "architecture": "amd64",
    "os": "linux",
    "config": {"Cmd": ["/bin/sh"]},
    "rootfs": {"type": "layers", "diff_ids": diff_ids},
    "history": [{"created_by": f"/bin/sh -c step {i}"} for i in range(len(layers))],
}
config_bytes = json.dumps(config).encode()
config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
names = [f"{d[7:]}/layer.tar" for d in diff_ids]
manifest = [{"Config": config_name, "RepoTags": ["bench:latest"], "Layers": names}]
with tarfile.open(out, "w") as t:
    for name, blob in [(config_name, config_bytes), ("manifest.json", json.dumps(manifest).encode())] + list(zip(names, layers)):
        info = tarfile.TarInfo(name)
        info.size = len(blob)
        t.addfile(info, io.BytesIO(blob))
print(out, os.path.getsize(out) >> 20, "MiB")
