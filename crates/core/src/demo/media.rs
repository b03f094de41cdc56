//! Small files for attachments and call recordings: a real format header,
//! the file's own ID (so no two files are byte-identical, which keeps the
//! forensic scan honest), then deterministic filler. 200 to 3,000 bytes.

use std::sync::OnceLock;

use base64::Engine;

use super::rng::Rng;

const FILLER_LEN: usize = 4096;

fn filler() -> &'static [u8] {
    static FILLER: OnceLock<Vec<u8>> = OnceLock::new();
    FILLER.get_or_init(|| {
        let mut rng = Rng::new(0x5EED_F111);
        let mut out = Vec::with_capacity(FILLER_LEN);
        while out.len() < FILLER_LEN {
            out.extend_from_slice(&rng.next_u64().to_le_bytes());
        }
        out
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Png,
    Jpeg,
    Pdf,
    Wav,
}

impl Kind {
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::Pdf => "application/pdf",
            Kind::Wav => "audio/wav",
        }
    }
}

/// A file of `size` bytes (at least the header and ID) as base64, and its
/// exact size.
pub fn file(kind: Kind, id: &str, size: usize, rng: &mut Rng) -> (String, i64) {
    let mut bytes: Vec<u8> = Vec::with_capacity(size + 64);
    match kind {
        Kind::Png => {
            bytes.extend_from_slice(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR");
            bytes.extend_from_slice(&[
                0, 0, 2, 128, 0, 0, 1, 224, 8, 2, 0, 0, 0, 0x5c, 0x6d, 0x1e, 0x47,
            ]);
            bytes.extend_from_slice(b"\x00\x00\x00\x00tEXtComment\x00");
            bytes.extend_from_slice(id.as_bytes());
            bytes.extend_from_slice(b"\x00\x00\x00\x00IDAT");
        }
        Kind::Jpeg => {
            bytes.extend_from_slice(
                b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00\xff\xfe",
            );
            bytes.extend_from_slice(id.as_bytes());
        }
        Kind::Pdf => {
            bytes.extend_from_slice(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Title (");
            bytes.extend_from_slice(id.as_bytes());
            bytes.extend_from_slice(b") >>\nendobj\n2 0 obj\n<< /Length 2048 >>\nstream\n");
        }
        Kind::Wav => {
            let data_len = size.saturating_sub(44) as u32;
            bytes.extend_from_slice(b"RIFF");
            bytes.extend_from_slice(&(data_len + 36).to_le_bytes());
            bytes.extend_from_slice(b"WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x40\x1f\x00\x00\x01\x00\x08\x00data");
            bytes.extend_from_slice(&data_len.to_le_bytes());
            bytes.extend_from_slice(id.as_bytes());
        }
    }
    let trailer: &[u8] = match kind {
        Kind::Png => b"\x00\x00\x00\x00IEND\xaeB`\x82",
        Kind::Jpeg => b"\xff\xd9",
        Kind::Pdf => b"\nendstream\nendobj\n%%EOF\n",
        Kind::Wav => b"",
    };
    let body = size.saturating_sub(bytes.len() + trailer.len());
    let filler = filler();
    let start = rng.below((FILLER_LEN - body.min(FILLER_LEN)) as u64 + 1) as usize;
    bytes.extend_from_slice(&filler[start..start + body.min(FILLER_LEN)]);
    bytes.extend_from_slice(trailer);
    let len = bytes.len() as i64;
    (
        base64::engine::general_purpose::STANDARD.encode(&bytes),
        len,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_and_headers_are_real() {
        let mut rng = Rng::new(3);
        for (kind, magic) in [
            (Kind::Png, &b"\x89PNG"[..]),
            (Kind::Jpeg, &b"\xff\xd8\xff"[..]),
            (Kind::Pdf, &b"%PDF-"[..]),
            (Kind::Wav, &b"RIFF"[..]),
        ] {
            let (data, len) = file(kind, "att_0123456789abcdef", 700, &mut rng);
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data)
                .unwrap();
            assert_eq!(bytes.len() as i64, len);
            assert_eq!(len, 700);
            assert!(bytes.starts_with(magic));
        }
    }
}
