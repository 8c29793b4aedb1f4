#!/usr/bin/env bash
# Times the reference C implementation of argon2id at our parameters and prints ms/hash,
# beside our criterion figures (if `cargo bench -p userpool-benches --bench argon2` has run)
# and their ratio. Two references, both the PHC winners' C code:
#   - Debian's `argon2` command (apt-get install argon2): one process per hash, its own
#     reported hashing time (process start-up excluded);
#   - argon2-cffi from PyPI (pip install argon2-cffi): `hash_secret_raw` in one process.
# Same password, 16-byte salt, 32-byte output as benches/benches/argon2.rs.
#
# Usage: benches/compare_reference.sh [N]   (N hashes per parameter set, default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-20}"
PASSWORD="Correct-Horse-Battery-9"
SALT="ZZZZZZZZZZZZZZZZ" # 16 x 0x5a, the salt of the Rust bench

python3 - "$N" "$PASSWORD" "$SALT" <<'PY'
import json, os, re, shutil, subprocess, sys, time

n, password, salt = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode()
sets = [("owasp_m19456_t2_p1", 19456, 2, 1), ("rfc9106_m65536_t3_p4", 65536, 3, 4)]

def criterion_ms(group, bench):
    path = f"target/criterion/argon2id_{group}/{bench}/new/estimates.json"
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)["mean"]["point_estimate"] / 1e6

def debian_cli(m, t, p):
    if shutil.which("argon2") is None:
        return None
    times = []
    for _ in range(n):
        out = subprocess.run(
            ["argon2", salt.decode(), "-id", "-t", str(t), "-k", str(m), "-p", str(p), "-l", "32"],
            input=password, capture_output=True, check=True).stdout.decode()
        times.append(float(re.search(r"([0-9.]+) seconds", out).group(1)) * 1e3)
    return sum(times) / len(times)

def cffi(m, t, p):
    try:
        from argon2.low_level import Type, hash_secret_raw
    except ImportError:
        return None
    run = lambda: hash_secret_raw(password, salt, t, m, p, 32, Type.ID)
    run()  # warm-up
    start = time.perf_counter()
    for _ in range(n):
        run()
    return (time.perf_counter() - start) / n * 1e3

fmt = lambda v: "n/a" if v is None else f"{v:8.2f}"
print(f"{n} hashes per figure; ms/hash")
print(f"{'parameters':24} {'debian argon2':>14} {'argon2-cffi':>12} {'ours hash':>10} {'raw crate':>10} {'ours/cffi':>10} {'ours/debian':>12}")
for label, m, t, p in sets:
    deb, cf = debian_cli(m, t, p), cffi(m, t, p)
    ours, raw = criterion_ms(label, "ours_hash"), criterion_ms(label, "raw_argon2_hash_password_into")
    ratio = lambda a, b: "n/a" if a is None or b is None else f"{a / b:.2f}"
    print(f"{label:24} {fmt(deb):>14} {fmt(cf):>12} {fmt(ours):>10} {fmt(raw):>10} {ratio(ours, cf):>10} {ratio(ours, deb):>12}")
PY
