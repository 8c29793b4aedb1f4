"""Generates srp_vectors.json, the SPEC §15 test vectors read by tests/spec_15_srp.rs.

The client side is pycognito's `AWSSRP` (an independent implementation of Cognito's SRP
client, used by Python applications), run unchanged with a fixed `a` and a fixed clock:
A is `AWSSRP.calculate_a`, u is `calculate_u`, the key is
`get_password_authentication_key`, the answer (TIMESTAMP and PASSWORD_CLAIM_SIGNATURE) is
`process_challenge`. The server values (v, B, S) are computed here with Python integers,
straight from SPEC §15 (no code shared with the Rust crate); the script checks that the
client's key equals HKDF(padHex(S), padHex(u)) before writing, so v, B and S are the ones
a client accepts.

Reproduce (pycognito 2024.5.1, Python 3.11):
    python3 -m venv target/srp-venv
    target/srp-venv/bin/pip install pycognito==2024.5.1
    target/srp-venv/bin/python crates/userpool-core/tests/vectors/srp_vectors.py \
        > crates/userpool-core/tests/vectors/srp_vectors.json

A second independent client confirms the file: `srp_vectors_js.cjs` runs
amazon-cognito-identity-js 6.3.16's `CognitoUser.authenticateUser` against a stub service
with each vector's `a` and clock, and checks that it sends the same SRP_A and answers with
the same TIMESTAMP and PASSWORD_CLAIM_SIGNATURE.

Every secret below is fixed (derived from the case name with SHA-256), so the output is
deterministic.
"""

import base64
import datetime
import hashlib
import json
import sys
import unicodedata
from importlib.metadata import version

import pycognito.aws_srp as srp

POOL_ID = "us-east-1_AbCdEf123"

# (name, user id, password, salt hex as sent in SALT, the client's clock)
CASES = [
    ("salt_top_bit_set", "alice", "Correct-horse-9", "8f3a51c2e04b7d6913f5a0c8b2e7d4a1",
     datetime.datetime(2026, 1, 13, 9, 5, 3)),
    ("salt_leading_zero_nibble", "bob", "Tr0ub4dor&3", "0b7e2c91d45a68f30e1c7b9a2d5f8e46",
     datetime.datetime(2026, 3, 27, 23, 59, 59)),
    ("uuid_user_id", "6f1c2a4e-8b3d-4e5f-9a7b-1c2d3e4f5a6b", "Passw0rd!Uuid", "5d2f8a1c9e3b7064a1f2c3d4e5f60718",
     datetime.datetime(2026, 11, 30, 12, 0, 0)),
    ("non_ascii_password", "chloé", "Grüße-Ünïcødé-密码-1", "7a9c3e5b1d2f4068a0b1c2d3e4f50617",
     datetime.datetime(2026, 7, 14, 18, 30, 45)),
    ("one_digit_day", "dmitri", "One-Digit-Day-1", "3c4d5e6f708192a3b4c5d6e7f8091a2b",
     datetime.datetime(2026, 1, 6, 9, 5, 3)),
]


def fixed(name, label, nbytes):
    """nbytes of deterministic 'randomness' for a case."""
    out = b""
    counter = 0
    while len(out) < nbytes:
        out += hashlib.sha256(f"{name}/{label}/{counter}".encode()).digest()
        counter += 1
    return out[:nbytes]


class FixedClock(datetime.datetime):
    now_value = None

    @classmethod
    def utcnow(cls):
        return cls.now_value


class FixedDatetimeModule:
    datetime = FixedClock


def main():
    n, g = srp.hex_to_long(srp.N_HEX), srp.hex_to_long(srp.G_HEX)
    k = srp.hex_to_long(srp.hex_hash("00" + srp.N_HEX + "0" + srp.G_HEX))
    pool_name = POOL_ID.split("_")[1]
    srp.datetime = FixedDatetimeModule  # process_challenge reads the clock through this
    out = []
    for name, user_id, password, salt_hex, clock in CASES:
        assert unicodedata.normalize("NFKC", password) == password, "the core keeps NFKC"
        client = srp.AWSSRP(user_id, password, POOL_ID, "client-id", client=object())
        # A fixed `a`, drawn as pycognito draws it (128 bytes, reduced mod N).
        client.small_a_value = int.from_bytes(fixed(name, "a", 128), "big") % n
        client.large_a_value = client.calculate_a()
        a_big = client.large_a_value

        # Server side, from SPEC §15.
        inner = srp.hash_sha256(f"{pool_name}{user_id}:{password}".encode("utf-8"))
        x = srp.hex_to_long(srp.hex_hash(srp.pad_hex(salt_hex) + inner))
        v = pow(g, x, n)
        b = int.from_bytes(fixed(name, "b", 64), "big")
        b_big = (k * v + pow(g, b, n)) % n
        u = srp.calculate_u(a_big, b_big)
        s = pow(a_big * pow(v, u, n), b, n)
        secret_block = fixed(name, "secret-block", 32)

        key = client.get_password_authentication_key(user_id, password, b_big, salt_hex)
        assert key == srp.compute_hkdf(bytes.fromhex(srp.pad_hex(s)), bytes.fromhex(srp.pad_hex(u)))

        FixedClock.now_value = clock
        params = {
            "USER_ID_FOR_SRP": user_id,
            "USERNAME": user_id,
            "SALT": salt_hex,
            "SRP_B": srp.long_to_hex(b_big),
            "SECRET_BLOCK": base64.standard_b64encode(secret_block).decode(),
        }
        answer = client.process_challenge(params, {"USERNAME": user_id})
        out.append({
            "name": name,
            "pool_id": POOL_ID,
            "user_id": user_id,
            "password": password,
            "salt": salt_hex,
            "a": f"{client.small_a_value:x}",
            "srp_a": client.get_auth_params()["SRP_A"],
            "b": b.to_bytes(64, "big").hex(),
            "k": f"{k:x}",
            "x": f"{x:x}",
            "v": f"{v:x}",
            "srp_b": params["SRP_B"],
            "u": f"{u:x}",
            "s": f"{s:x}",
            "key": key.hex(),
            "secret_block": params["SECRET_BLOCK"],
            "timestamp": answer["TIMESTAMP"],
            "now": clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "signature": answer["PASSWORD_CLAIM_SIGNATURE"],
        })
    json.dump({
        "generator": "crates/userpool-core/tests/vectors/srp_vectors.py",
        "client": f"pycognito {version('pycognito')} (pycognito.aws_srp.AWSSRP)",
        "vectors": out,
    }, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
