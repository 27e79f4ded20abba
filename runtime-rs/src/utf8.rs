//! UTF-8 encoding and decoding of code points, by hand (no `core::str`, no `core::fmt`).

/// The replacement character, for invalid input.
pub const REPLACEMENT: u32 = 0xfffd;

/// Is `c` a Unicode scalar value (not a surrogate, at most U+10FFFF)?
#[inline(always)]
pub fn is_scalar(c: u64) -> bool {
    c <= 0x10ffff && !(0xd800..=0xdfff).contains(&c)
}

/// Encodes `c` into `out` (at least 4 bytes); returns the byte count. Non-scalar values
/// are encoded as U+FFFD.
#[inline]
pub fn encode(c: u64, out: &mut [u8; 4]) -> usize {
    let c = if is_scalar(c) { c as u32 } else { REPLACEMENT };
    if c < 0x80 {
        out[0] = c as u8;
        1
    } else if c < 0x800 {
        out[0] = 0xc0 | (c >> 6) as u8;
        out[1] = 0x80 | (c & 0x3f) as u8;
        2
    } else if c < 0x10000 {
        out[0] = 0xe0 | (c >> 12) as u8;
        out[1] = 0x80 | ((c >> 6) & 0x3f) as u8;
        out[2] = 0x80 | (c & 0x3f) as u8;
        3
    } else {
        out[0] = 0xf0 | (c >> 18) as u8;
        out[1] = 0x80 | ((c >> 12) & 0x3f) as u8;
        out[2] = 0x80 | ((c >> 6) & 0x3f) as u8;
        out[3] = 0x80 | (c & 0x3f) as u8;
        4
    }
}

/// The number of bytes `encode` writes for `c`.
#[inline(always)]
pub fn encoded_length(c: u64) -> usize {
    let c = if is_scalar(c) { c } else { REPLACEMENT as u64 };
    if c < 0x80 {
        1
    } else if c < 0x800 {
        2
    } else if c < 0x10000 {
        3
    } else {
        4
    }
}

/// The length of the sequence that starts with byte `b`, or 0 if `b` cannot start one.
#[inline(always)]
pub fn sequence_length(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => 0,
    }
}

/// Decodes one code point from `len` (> 0) bytes at `p`: (code point, bytes used).
/// An invalid or truncated sequence decodes as U+FFFD and uses one byte.
pub fn decode(p: *const u8, len: usize) -> (u32, usize) {
    let b0 = unsafe { *p };
    let n = sequence_length(b0);
    if n == 1 {
        return (b0 as u32, 1);
    }
    if n == 0 || n > len {
        return (REPLACEMENT, 1);
    }
    let mut c = (b0 as u32) & (0x7f >> n);
    for i in 1..n {
        let b = unsafe { *p.add(i) };
        if b & 0xc0 != 0x80 {
            return (REPLACEMENT, 1);
        }
        c = (c << 6) | (b & 0x3f) as u32;
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    let min = match n {
        2 => 0x80,
        3 => 0x800,
        _ => 0x10000,
    };
    if c < min || !is_scalar(c as u64) {
        return (REPLACEMENT, 1);
    }
    (c, n)
}

/// The number of code points `decode` finds in `len` bytes at `p`.
pub fn count_code_points(p: *const u8, len: usize) -> usize {
    let mut at = 0;
    let mut count = 0;
    while at < len {
        let (_, used) = decode(unsafe { p.add(at) }, len - at);
        at += used;
        count += 1;
    }
    count
}
