#!/usr/bin/env python3
"""Makes the imported-hash fixtures of SPEC §19 with tools independent of this project.

Run (with Debian's `argon2` package installed for the reference CLI): python3 -m venv v && v/bin/pip install bcrypt==4.0.1 passlib==1.7.4 argon2-cffi==25.1.0
(bcrypt 4.0.1: passlib 1.7.4 cannot load later ones, and bcrypt 5 refuses passwords over 72
bytes instead of truncating them as every other bcrypt does) && v/bin/python make_fixtures.py
Writes fixtures.json: a list of {"tool", "scheme", "password", "hash"}; each hash verifies
`password` and nothing else. Costs are kept low so the tests run quickly; the ceilings are
tested separately.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import warnings

import argon2
import bcrypt
from passlib import hash as passlib_hash

warnings.filterwarnings("ignore")

PASSWORDS = ["Passw0rd!", "correct horse battery staple", "pässwörd ✓ 密码", "x" * 80]


def b64(data):
    return base64.b64encode(data).decode().rstrip("=")


def entries():
    for pw in PASSWORDS:
        raw = pw.encode()
        yield "python bcrypt", "bcrypt", pw, bcrypt.hashpw(raw, bcrypt.gensalt(4, prefix=b"2b")).decode()
        yield "python bcrypt", "bcrypt", pw, bcrypt.hashpw(raw, bcrypt.gensalt(5, prefix=b"2a")).decode()
        yield "passlib", "bcrypt", pw, passlib_hash.bcrypt.using(rounds=4, ident="2y").hash(pw)
        yield "passlib", "pbkdf2-sha256", pw, passlib_hash.pbkdf2_sha256.using(rounds=29000).hash(pw)
        yield "passlib", "pbkdf2-sha512", pw, passlib_hash.pbkdf2_sha512.using(rounds=2500).hash(pw)
        yield "passlib", "scrypt", pw, passlib_hash.scrypt.using(rounds=10, block_size=8, parallelism=1).hash(pw)
        yield "passlib", "argon2id", pw, passlib_hash.argon2.using(type="ID", memory_cost=512, rounds=2, parallelism=1).hash(pw)

        salt = os.urandom(16)
        dk = hashlib.pbkdf2_hmac("sha256", raw, salt, 10000)
        yield "hashlib", "pbkdf2-sha256", pw, f"$pbkdf2-sha256$i=10000,l=32${b64(salt)}${b64(dk)}"
        dk = hashlib.pbkdf2_hmac("sha512", raw, salt, 5000)
        yield "hashlib", "pbkdf2-sha512", pw, f"$pbkdf2-sha512$i=5000,l=64${b64(salt)}${b64(dk)}"
        # Django's PBKDF2PasswordHasher.encode: the salt is text, the hash padded base64.
        dj_salt = base64.b64encode(os.urandom(16)).decode()[:22].replace("+", "a").replace("/", "b")
        dk = hashlib.pbkdf2_hmac("sha256", raw, dj_salt.encode(), 20000)
        yield "hashlib (Django's layout)", "pbkdf2-sha256", pw, f"pbkdf2_sha256$20000${dj_salt}${base64.b64encode(dk).decode()}"
        dk = hashlib.scrypt(raw, salt=salt, n=2**11, r=8, p=2, dklen=32)
        yield "hashlib", "scrypt", pw, f"$scrypt$ln=11,r=8,p=2${b64(salt)}${b64(dk)}"

        yield "argon2-cffi", "argon2id", pw, argon2.PasswordHasher(time_cost=2, memory_cost=1024, parallelism=2, hash_len=32, type=argon2.Type.ID).hash(pw)
        if shutil.which("argon2"):
            # The reference implementation's CLI (Debian's `argon2`): -m is log2 of the KiB.
            cli_salt = base64.b64encode(os.urandom(12)).decode()
            for variant, flag in (("argon2id", "-id"), ("argon2i", "-i")):
                encoded = subprocess.run(
                    ["argon2", cli_salt, flag, "-t", "2", "-m", "10", "-p", "2", "-e"],
                    input=raw, capture_output=True, check=True,
                ).stdout.decode().strip()
                yield "argon2 CLI", variant, pw, encoded
        yield "argon2-cffi", "argon2i", pw, argon2.PasswordHasher(time_cost=3, memory_cost=512, parallelism=1, hash_len=24, type=argon2.Type.I).hash(pw)


def main():
    out = []
    for tool, scheme, pw, h in entries():
        out.append({"tool": tool, "scheme": scheme, "password": pw, "hash": h})
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "fixtures.json"), "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(len(out), "fixtures")


if __name__ == "__main__":
    main()
