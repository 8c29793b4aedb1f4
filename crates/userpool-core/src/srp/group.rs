//! The group and the encodings every SRP value goes through: RFC 3526's 3072-bit prime,
//! g = 2, SHA-256, and Cognito's `padHex`.
//!
//! Arithmetic is in Montgomery form with `crypto-bigint`, whose exponentiation is constant
//! time in the exponent: the secret exponents (x, b) never steer a branch or a memory access.

use std::sync::LazyLock;

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{CtAssign, CtEq, NonZero, Odd, U256, U512, U3072};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Bytes in a group element (3072 bits).
pub(crate) const ELEMENT_LEN: usize = 384;

/// RFC 3526 §4, the 3072-bit MODP group's prime (the `N` of every Cognito client).
const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// The prime, as an integer.
pub(crate) static N: LazyLock<U3072> = LazyLock::new(|| U3072::from_be_hex(N_HEX));

/// Montgomery parameters for N. N is public, so the variable-time set-up is fine.
static PARAMS: LazyLock<FixedMontyParams<{ U3072::LIMBS }>> = LazyLock::new(|| {
    // invariant: N is odd (it is prime and ends in F); checked by a unit test.
    let odd = Option::<Odd<U3072>>::from(Odd::new(*N)).expect("N is odd");
    FixedMontyParams::new_vartime(odd)
});

/// The generator, 2.
const G: u64 = 2;

/// k = H(padHex(N) ‖ padHex(g)).
static K: LazyLock<U3072> = LazyLock::new(|| {
    let mut hasher = Sha256::new();
    hasher.update(pad_hex(&N.to_be_bytes()));
    hasher.update(pad_hex(&G.to_be_bytes()));
    widen(&U256::from_be_slice(&hasher.finalize()))
});

/// Cognito's `padHex` on a big-endian integer: the minimal big-endian bytes, with a `00` in
/// front when the top bit is set (so the value reads as positive), and `00` for zero.
/// The clients do this on hex text; on bytes it is the same thing.
pub(crate) fn pad_hex(big_endian: &[u8]) -> Zeroizing<Vec<u8>> {
    let first = big_endian
        .iter()
        .position(|&byte| byte != 0)
        .unwrap_or(big_endian.len());
    let minimal = &big_endian[first..];
    let mut out = Zeroizing::new(Vec::with_capacity(minimal.len() + 1));
    if minimal.first().is_none_or(|&top| top & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(minimal);
    out
}

/// A 256-bit value (a hash) as a group-sized integer.
pub(crate) fn widen(value: &U256) -> U3072 {
    value.resize()
}

fn monty(value: &U3072) -> FixedMontyForm<{ U3072::LIMBS }> {
    FixedMontyForm::new(value, &PARAMS)
}

/// `value mod N`, for values below 2^3072 (at most one subtraction). Only for public values.
pub(crate) fn reduce(value: &U3072) -> U3072 {
    // invariant: N is not zero.
    let n = Option::<NonZero<U3072>>::from(NonZero::new(*N)).expect("N is not zero");
    value.rem_vartime(&n)
}

/// Rows of the fixed-base table for g^x with a 256-bit x: 4 bits of x a row.
const COMB_ROWS: usize = 64;

/// `G_TABLE[i][d]` = g^(d·16^i) in Montgomery form (384 KiB, built once, in ~1 000
/// multiplications). With it g^x costs 64 multiplications instead of the ~330 of a
/// square-and-multiply, which keeps the verifier of a password write small next to its
/// argon2id hash (the target: at most 5 % of it).
static G_TABLE: LazyLock<Vec<[U3072; 16]>> = LazyLock::new(|| {
    let mut rows = Vec::with_capacity(COMB_ROWS);
    let mut base = monty(&U3072::from_u64(G)); // g^(16^i)
    for _ in 0..COMB_ROWS {
        let mut row = [FixedMontyForm::one(&PARAMS); 16];
        for d in 1..16 {
            row[d] = row[d - 1] * base;
        }
        base = row[15] * base;
        rows.push(row.map(|entry| entry.to_montgomery()));
    }
    rows
});

/// g^x mod N, constant time in `x`: one multiplication a row of [`G_TABLE`], each row read
/// whole with constant-time selects so that the memory access does not depend on x.
pub(crate) fn g_pow(x: &U256) -> U3072 {
    let bytes = Zeroizing::new(x.to_be_bytes());
    let bytes: &[u8] = (*bytes).as_ref();
    let mut acc = FixedMontyForm::one(&PARAMS);
    let mut selected = Zeroizing::new(U3072::ZERO);
    for (i, row) in G_TABLE.iter().enumerate() {
        let byte = bytes[bytes.len() - 1 - i / 2];
        let nibble = if i % 2 == 0 { byte & 0x0f } else { byte >> 4 };
        *selected = row[0];
        for (d, entry) in (0u8..).zip(row.iter()).skip(1) {
            selected.ct_assign(entry, d.ct_eq(&nibble));
        }
        acc *= FixedMontyForm::from_montgomery(*selected, &PARAMS);
    }
    acc.retrieve()
}

/// B = (k·v + g^b) mod N, constant time in `b`.
pub(crate) fn server_public(verifier: &U3072, b: &U512) -> U3072 {
    let kv = monty(&K) * monty(verifier);
    let gb = monty(&U3072::from_u64(G)).pow(b);
    (kv + gb).retrieve()
}

/// S = (A · v^u)^b mod N, constant time in `b` (and in the verifier's use as a base).
/// `a` must already be reduced mod N.
pub(crate) fn server_premaster(
    a: &U3072,
    verifier: &U3072,
    u: &U256,
    b: &U512,
) -> Zeroizing<U3072> {
    let base = monty(a) * monty(verifier).pow(u);
    Zeroizing::new(base.pow(b).retrieve())
}

/// u = H(padHex(A) ‖ padHex(B)), over the integers as the client holds them.
pub(crate) fn scrambler(a: &U3072, b: &U3072) -> U256 {
    let mut hasher = Sha256::new();
    hasher.update(pad_hex(&a.to_be_bytes()));
    hasher.update(pad_hex(&b.to_be_bytes()));
    U256::from_be_slice(&hasher.finalize())
}

/// The element as lowercase hex without leading zeros, as Cognito sends `SRP_B`.
pub(crate) fn to_hex(value: &U3072) -> String {
    let bytes = value.to_be_bytes();
    let hex = encode_hex(bytes.as_ref());
    let trimmed = hex.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Lowercase hex of bytes.
pub(crate) fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Parses hex text (either case, any length, odd allowed) into an element, or `None` when
/// it is not hex or the value needs more than 3072 bits.
pub(crate) fn parse_element_hex(text: &str) -> Option<U3072> {
    if text.is_empty() || !text.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let digits = text.trim_start_matches('0').as_bytes();
    if digits.len() > ELEMENT_LEN * 2 {
        return None;
    }
    let mut bytes = [0u8; ELEMENT_LEN];
    // Fill from the right, two digits a byte; a lone leading digit is a high nibble of 0.
    for (i, pair) in digits.rchunks(2).enumerate() {
        let value = pair
            .iter()
            .fold(0u8, |acc, &digit| (acc << 4) | hex_value(digit));
        bytes[ELEMENT_LEN - 1 - i] = value;
    }
    Some(U3072::from_be_slice(&bytes))
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad_hex_adds_a_zero_byte_only_for_a_set_top_bit() {
        assert_eq!(*pad_hex(&[0x00, 0x7f, 0x01]), vec![0x7f, 0x01]);
        assert_eq!(*pad_hex(&[0x80, 0x01]), vec![0x00, 0x80, 0x01]);
        assert_eq!(*pad_hex(&[0x00, 0x00, 0x0a]), vec![0x0a]);
        assert_eq!(*pad_hex(&[0, 0]), vec![0x00]);
        assert_eq!(pad_hex(&N.to_be_bytes()).len(), ELEMENT_LEN + 1);
    }

    #[test]
    fn the_group_is_rfc_3526s_3072_bit_prime() {
        assert!(bool::from(N.is_odd()));
        assert_eq!(N.bit_width(), 3072);
        // g^(N-1) = 1 (Fermat), which a typo in the constant would almost surely break.
        let n_minus_1 = N.wrapping_sub(&U3072::ONE);
        let one = monty(&U3072::from_u64(G)).pow(&n_minus_1).retrieve();
        assert_eq!(one, U3072::ONE);
    }

    #[test]
    fn fixed_base_table_agrees_with_square_and_multiply() {
        let generator = monty(&U3072::from_u64(G));
        for x in [
            U256::ZERO,
            U256::ONE,
            U256::from_u64(0xf0),
            U256::MAX,
            U256::from_be_slice(&[0xa5; 32]),
            U256::from_be_slice(&[0x0f; 32]),
        ] {
            assert_eq!(g_pow(&x), generator.pow(&x).retrieve(), "{x}");
        }
    }

    #[test]
    fn hex_round_trips_and_refuses_what_is_not_an_element() {
        let n = parse_element_hex(&to_hex(&N)).expect("N parses");
        assert_eq!(n, *N);
        assert_eq!(parse_element_hex("abc"), Some(U3072::from_u64(0xabc)));
        assert_eq!(parse_element_hex("000ABC"), Some(U3072::from_u64(0xabc)));
        assert_eq!(parse_element_hex(""), None);
        assert_eq!(parse_element_hex("0x12"), None);
        assert_eq!(parse_element_hex("12 34"), None);
        assert_eq!(parse_element_hex(&"f".repeat(769)), None);
        assert!(parse_element_hex(&"f".repeat(768)).is_some());
        assert_eq!(to_hex(&U3072::ZERO), "0");
    }
}
