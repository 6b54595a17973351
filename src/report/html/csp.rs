//! The page's Content-Security-Policy: nothing may load from anywhere, and
//! only the report's own inline style and script, named by their SHA-256
//! hashes, may apply or run. The hashes are computed at compile time from
//! the same `include_str!` text the page embeds, so they cannot drift.
//!
//! Inline event handler attributes and `style` attributes are not allowed
//! by such a policy, so the page has none: the script attaches its
//! listeners, the charts are coloured by classes and presentation
//! attributes.

/// The stylesheet, embedded in `<style>`.
pub const CSS: &str = include_str!("report.css");
/// The script, embedded in `<script>`.
pub const JS: &str = include_str!("report.js");

const CSS_HASH: [u8; 44] = base64_32(&sha256(CSS.as_bytes()));
const JS_HASH: [u8; 44] = base64_32(&sha256(JS.as_bytes()));

/// The policy, for `<meta http-equiv="Content-Security-Policy">`.
pub fn policy() -> String {
    format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; \
         base-uri 'none'; form-action 'none'",
        ascii(&CSS_HASH),
        ascii(&JS_HASH)
    )
}

fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).expect("base64 is ASCII")
}

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// SHA-256 (FIPS 180-4), usable in constants.
pub const fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let len = data.len();
    // Message, 0x80, zeros, 64-bit length in bits: whole 64-byte blocks.
    let blocks = (len + 9).div_ceil(64);
    let mut b = 0;
    while b < blocks {
        let mut w = [0u32; 64];
        let mut i = 0;
        while i < 64 {
            let at = b * 64 + i;
            let byte = if at < len {
                data[at]
            } else if at == len {
                0x80
            } else if at >= blocks * 64 - 8 {
                let shift = (blocks * 64 - 1 - at) * 8;
                ((len as u64 * 8) >> shift) as u8
            } else {
                0
            };
            w[i / 4] |= (byte as u32) << (24 - 8 * (i % 4));
            i += 1;
        }
        let mut t = 16;
        while t < 64 {
            let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
            let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16]
                .wrapping_add(s0)
                .wrapping_add(w[t - 7])
                .wrapping_add(s1);
            t += 1;
        }
        let (mut a, mut bb, mut c, mut d, mut e, mut f, mut g, mut hh) =
            (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
        let mut t = 0;
        while t < 64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[t])
                .wrapping_add(w[t]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & bb) ^ (a & c) ^ (bb & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = bb;
            bb = a;
            a = t1.wrapping_add(t2);
            t += 1;
        }
        h[0] = h[0].wrapping_add(a);
        h[1] = h[1].wrapping_add(bb);
        h[2] = h[2].wrapping_add(c);
        h[3] = h[3].wrapping_add(d);
        h[4] = h[4].wrapping_add(e);
        h[5] = h[5].wrapping_add(f);
        h[6] = h[6].wrapping_add(g);
        h[7] = h[7].wrapping_add(hh);
        b += 1;
    }
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (h[i / 4] >> (24 - 8 * (i % 4))) as u8;
        i += 1;
    }
    out
}

/// Standard base64 of 32 bytes (44 characters with the padding).
const fn base64_32(b: &[u8; 32]) -> [u8; 44] {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = [b'='; 44];
    let mut i = 0;
    let mut o = 0;
    while i < 32 {
        let n = (b[i] as u32) << 16
            | if i + 1 < 32 {
                (b[i + 1] as u32) << 8
            } else {
                0
            }
            | if i + 2 < 32 { b[i + 2] as u32 } else { 0 };
        let chars = if i + 2 < 32 { 4 } else { 3 };
        let mut k = 0;
        while k < chars {
            out[o + k] = A[((n >> (18 - 6 * k)) & 63) as usize];
            k += 1;
        }
        i += 3;
        o += 4;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // Two blocks (FIPS 180-4 example), and a length at a block edge.
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; 64])),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"
        );
    }

    #[test]
    fn base64_of_a_hash_is_standard() {
        // echo -n abc | openssl dgst -sha256 -binary | base64
        assert_eq!(
            ascii(&base64_32(&sha256(b"abc"))),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }

    #[test]
    fn policy_forbids_every_load_and_names_the_inline_code() {
        let p = policy();
        assert!(p.starts_with("default-src 'none';"), "{p}");
        assert!(!p.contains("unsafe"), "{p}");
        assert!(!p.contains("http"), "{p}");
        assert!(p.contains(&format!("'sha256-{}'", ascii(&JS_HASH))));
    }
}
