//! Writes a synthetic month of restaurant-chain feedback as JSONL (the input of
//! `fankui issues`), from the seeded generator in tests/common/month.rs.
//!
//! ```text
//! cargo run --release --example make_month -- --ops examples > examples/month.jsonl   # the bundled month
//! cargo run --release --example make_month > month.jsonl                    # 200 stores, ~14k records
//! cargo run --release --example make_month -- --stores-per-region 875 --volume 6 > big.jsonl   # ~1.5M
//! ```
//!
//! `--ops DIR` (200 stores only) adds the operations data of tests/common/ops_month.rs:
//! it writes DIR/stores.csv and DIR/volume.csv, and the month gets the queue
//! complaints of the busy station store GZ-008, whose orders double on the holiday
//! 2026-10-31 (ids `s00001`…; every other record is the same as without `--ops`).
//!
//! Injected incidents (see tests/common/month.rs): hair in the food at store BJ-007
//! on 2026-10-15, praise for a new item 10-16..20, fries tasting off in 25 east
//! stores 10-21..23, mini-program payment failures chain-wide on 10-29.

#[path = "../tests/common/month.rs"]
mod month;
#[path = "../tests/common/ops_month.rs"]
mod ops_month;

use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let mut seed = 20261001;
    let mut stores = month::STORES_PER_REGION;
    let mut volume = 1.0;
    let mut ops: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage(&format!("{a} needs a value")));
        match a.as_str() {
            "--seed" => seed = value().parse().unwrap_or_else(|_| usage("--seed takes an integer")),
            "--stores-per-region" => {
                stores = value().parse().unwrap_or_else(|_| usage("--stores-per-region takes an integer"))
            }
            "--volume" => volume = value().parse().unwrap_or_else(|_| usage("--volume takes a number")),
            "--ops" => ops = Some(value().into()),
            _ => usage(&format!("unknown argument {a}")),
        }
    }
    let records = match &ops {
        Some(dir) => {
            if stores != month::STORES_PER_REGION || volume != 1.0 {
                usage("--ops is for the 200-store month only");
            }
            std::fs::write(dir.join("stores.csv"), ops_month::stores_csv(seed))?;
            std::fs::write(dir.join("volume.csv"), ops_month::volume_csv(seed))?;
            ops_month::generate_with_station(seed)
        }
        None => month::generate_scaled(seed, stores, volume),
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    for r in &records {
        writeln!(out, "{}", r.to_json())?;
    }
    out.flush()?;
    eprintln!("make_month: {} records, {} stores, {} days", records.len(), stores * month::REGIONS.len(), month::DAYS);
    if let Some(dir) = &ops {
        eprintln!("make_month: wrote {0}/stores.csv and {0}/volume.csv", dir.display());
    }
    Ok(())
}

fn usage(msg: &str) -> ! {
    eprintln!("make_month: {msg}\nusage: make_month [--seed N] [--stores-per-region N] [--volume X] [--ops DIR]");
    std::process::exit(2)
}
