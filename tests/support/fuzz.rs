//! The property tests' shared setting.

/// How many cases a property test runs: `ATA2ATP_FUZZ_CASES` when set (a longer run
/// by hand, a shorter one while iterating), else the test's own `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("ATA2ATP_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
