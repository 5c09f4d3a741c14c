//! certgate's fuzz targets (`cargo fuzz run TARGET`, see `fuzz/README.md`). The per-input code lives
//! in `targets.rs` so that `tests/fuzz_regressions.rs` runs exactly the same code under `cargo test`.

mod targets;

pub use targets::*;
