//! Writes a synthetic month of restaurant-chain feedback as JSONL (the input of
//! `fankui issues`), from the seeded generator in tests/common/month.rs.
//!
//! ```text
//! cargo run --release --example make_month > examples/month.jsonl          # 200 stores, ~14k records
//! cargo run --release --example make_month -- --stores-per-region 875 --volume 6 > big.jsonl   # ~1.5M
//! ```
//!
//! Injected incidents (see tests/common/month.rs): hair in the food at store BJ-007
//! on 2026-10-15, praise for a new item 10-16..20, fries tasting off in 25 east
//! stores 10-21..23, mini-program payment failures chain-wide on 10-29.

#[path = "../tests/common/month.rs"]
mod month;

use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let mut seed = 20261001;
    let mut stores = month::STORES_PER_REGION;
    let mut volume = 1.0;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage(&format!("{a} needs a value")));
        match a.as_str() {
            "--seed" => seed = value().parse().unwrap_or_else(|_| usage("--seed takes an integer")),
            "--stores-per-region" => {
                stores = value().parse().unwrap_or_else(|_| usage("--stores-per-region takes an integer"))
            }
            "--volume" => volume = value().parse().unwrap_or_else(|_| usage("--volume takes a number")),
            _ => usage(&format!("unknown argument {a}")),
        }
    }
    let records = month::generate_scaled(seed, stores, volume);
    let mut out = BufWriter::new(std::io::stdout().lock());
    for r in &records {
        writeln!(out, "{}", r.to_json())?;
    }
    out.flush()?;
    eprintln!("make_month: {} records, {} stores, {} days", records.len(), stores * month::REGIONS.len(), month::DAYS);
    Ok(())
}

fn usage(msg: &str) -> ! {
    eprintln!("make_month: {msg}\nusage: make_month [--seed N] [--stores-per-region N] [--volume X]");
    std::process::exit(2)
}
