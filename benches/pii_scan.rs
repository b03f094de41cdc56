//! Throughput of `pii::detect` on ~50 MB of realistic support messages.
//!
//! Run: `cargo bench --bench pii_scan` (needs `[[bench]] name = "pii_scan"`,
//! `harness = false` in Cargo.toml). The corpus is built in memory from a
//! fixed seed: about half plain chat, a third with order numbers, amounts,
//! dates or times, and the rest with personal data.

use std::hint::black_box;
use std::time::Instant;

use lethe::pii::{detect, KnownContacts};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const OPENERS: &[&str] = &[
    "Hi there,",
    "Hello,",
    "hey",
    "Good morning!",
    "Hi team,",
    "Thanks for getting back to me.",
    "",
];
const BODIES: &[&str] = &[
    "the parcel arrived but the lid of the blender was cracked and the jug leaks when I use it",
    "I would like to return the rain jacket, it is too small and the colour is not what the photo showed",
    "can you tell me when the standing desk will be back in stock? I have been waiting for weeks",
    "the app keeps logging me out whenever I try to check the status of my delivery",
    "I never received the confirmation email after placing the order yesterday evening",
    "my refund still has not shown up on my statement, could you check what happened please",
    "the courier left the box in the rain and everything inside is soaked, really disappointed",
    "is it possible to change the delivery address before it ships? we are moving next week",
    "thanks so much for the quick help, the replacement works perfectly now",
    "the size guide says medium but it fits like a small, do you have the large in blue",
];
const CLOSERS: &[&str] = &[
    "Thanks!",
    "Best regards",
    "cheers",
    "Kind regards, Maria",
    "thx",
    "",
];

fn plain(rng: &mut Rng, out: &mut String) {
    out.push_str(rng.pick(OPENERS));
    out.push(' ');
    for _ in 0..1 + rng.below(3) {
        out.push_str(rng.pick(BODIES));
        out.push_str(". ");
    }
    out.push_str(rng.pick(CLOSERS));
}

fn with_numbers(rng: &mut Rng, out: &mut String) {
    plain(rng, out);
    let n = rng.next();
    let extra = match rng.below(6) {
        0 => format!(
            " Order #{} placed on 2024-03-{:02}.",
            n % 10_000_000,
            1 + n % 28
        ),
        1 => format!(" I was charged ${}.{:02} twice.", n % 900, n % 100),
        2 => format!(" Delivery between {}:30 and {}:00.", 8 + n % 4, 12 + n % 6),
        3 => format!(" Tracking 1Z{:016}", n % 10_000_000_000_000_000),
        4 => format!(
            " Invoice INV-2024-{:06}, total €{},{:02}",
            n % 1_000_000,
            n % 500,
            n % 100
        ),
        _ => format!(" My order number is {}.", n % 10_000_000_000),
    };
    out.push_str(&extra);
}

fn with_pii(rng: &mut Rng, out: &mut String) {
    plain(rng, out);
    let extra = match rng.below(6) {
        0 => " Please charge 4111 1111 1111 1111 exp 12/27 instead.",
        1 => " You can call me at (415) 555-0100 after 5pm.",
        2 => " Refund to IBAN DE89 3704 0044 0532 0130 00 please.",
        3 => " My new email is maria.garcia87@gmail.com",
        4 => " They asked for my SSN, it's 536-22-8410.",
        _ => " It says access denied for 81.2.69.160 when I log in.",
    };
    out.push_str(extra);
}

fn build(target_bytes: usize) -> Vec<String> {
    let mut rng = Rng(0x5EED_1E7E_2024_0314);
    let mut messages = Vec::new();
    let mut total = 0;
    while total < target_bytes {
        let mut m = String::with_capacity(400);
        match rng.below(100) {
            0..=49 => plain(&mut rng, &mut m),
            50..=84 => with_numbers(&mut rng, &mut m),
            _ => with_pii(&mut rng, &mut m),
        }
        total += m.len();
        messages.push(m);
    }
    messages
}

fn run(name: &str, messages: &[&String], known: &KnownContacts) {
    let bytes: usize = messages.iter().map(|m| m.len()).sum();
    // Warm up caches and lazy tables once.
    for m in messages.iter().take(1000) {
        black_box(detect(m, known));
    }
    let mut best = f64::MAX;
    let mut found = 0;
    for _ in 0..3 {
        found = 0;
        let t = Instant::now();
        for m in messages {
            found += black_box(detect(black_box(m), known)).len();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "{name:<14} {:>6} msgs {:>7.1} MB  {:>8.3} s  {:>8.1} MB/s  {found} detections",
        messages.len(),
        mb,
        best,
        mb / best
    );
}

fn main() {
    let messages = build(50_000_000);
    let known = KnownContacts::default();
    let all: Vec<&String> = messages.iter().collect();
    let clean: Vec<&String> = messages
        .iter()
        .filter(|m| detect(m, &known).is_empty())
        .collect();
    let dirty: Vec<&String> = messages
        .iter()
        .filter(|m| !detect(m, &known).is_empty())
        .collect();
    println!("pii_scan: best of 3 passes, one thread");
    run("all", &all, &known);
    run("without PII", &clean, &known);
    run("with PII", &dirty, &known);
}
