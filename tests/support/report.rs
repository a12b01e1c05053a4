//! Shared helpers of the report tests: the fixture engagement, the binary, and a headless
//! Chromium harness that records what a page asked the network for and what it logged.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The synthetic engagement of the report tests.
pub fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/engagement")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else if entry.file_name() != ".gitkeep" {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A fresh copy of the fixture engagement (reports are written into it).
pub fn engagement() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("northwind");
    copy_dir(&fixture(), &root);
    (dir, root)
}

/// `ata2atp --engagement ROOT ARGS…`, with a clean environment for our variables.
pub fn ata2atp(root: &Path, args: &[&str]) -> Command {
    let mut cmd = super::commands::ata2atp_std();
    cmd.arg("--engagement").arg(root).args(args);
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Runs a report and returns the files it wrote (from `-o json`).
pub fn report(root: &Path, args: &[&str]) -> Vec<PathBuf> {
    let mut all = vec!["-o", "json", "report"];
    all.extend_from_slice(args);
    let out = ata2atp(root, &all).output().unwrap();
    assert!(
        out.status.success(),
        "report {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut files: Vec<PathBuf> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| PathBuf::from(f.as_str().unwrap()))
        .collect();
    files.push(PathBuf::from(v["integrity"].as_str().unwrap()));
    for c in v["copies"].as_array().unwrap() {
        files.push(PathBuf::from(c.as_str().unwrap()));
    }
    files
}

/// Debian's `chromium`, installed by `scripts/test-env.sh install`. A test that needs it
/// fails when it is missing: it is never skipped.
pub fn chromium() -> PathBuf {
    for p in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ] {
        if Path::new(p).is_file() {
            return PathBuf::from(p);
        }
    }
    panic!("chromium is not installed: run `scripts/test-env.sh install` (as root)");
}

/// What a headless Chromium saw while loading a page.
#[derive(Debug)]
pub struct PageLoad {
    /// Requests made on behalf of the page (any scheme but file: and data:), from the
    /// browser's network log.
    pub page_requests: Vec<String>,
    /// Every request in the network log, the browser's own included (for messages).
    pub all_requests: Vec<String>,
    /// Console messages the page produced.
    pub console: Vec<String>,
    pub screenshot: PathBuf,
    pub seconds: f64,
}

/// Loads `html` in headless Chromium with the flags of the brief, takes a screenshot,
/// and reads the network log and the console. The browser's name resolution is pointed
/// nowhere, so its own background probes never leave the machine; a page request still
/// shows in the network log, which is what is checked.
pub fn load_page(html: &Path, out_dir: &Path) -> PageLoad {
    let profile = tempfile::tempdir().unwrap();
    let netlog = out_dir.join("netlog.json");
    let screenshot = out_dir.join("screenshot.png");
    let url = format!("file://{}", std::path::absolute(html).unwrap().display());
    let t0 = std::time::Instant::now();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(&url)
        .output()
        .unwrap();
    let seconds = t0.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {stderr}");
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        // Chromium's own pages (chrome://…) log to the console too, e.g. "Slow network is
        // detected" from its compose box on a loaded machine: not the report's output.
        .filter(|l| !l.contains("source: chrome://"))
        .map(str::to_string)
        .collect();
    let (page_requests, all_requests) = read_netlog(&netlog);
    PageLoad {
        page_requests,
        all_requests,
        console,
        screenshot,
        seconds,
    }
}

/// Requests in a Chromium network log: those made for a `file://` page (their network
/// isolation key or site names `file://`) and all of them.
fn read_netlog(path: &Path) -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(path).expect("chromium wrote no network log");
    // Chromium may stop before closing the JSON; the events array is enough.
    let v: serde_json::Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .expect("the network log is JSON");
    let types = &v["constants"]["logEventTypes"];
    let start_job = types["URL_REQUEST_START_JOB"]
        .as_u64()
        .expect("URL_REQUEST_START_JOB known");
    let mut page = Vec::new();
    let mut all = Vec::new();
    for e in v["events"].as_array().into_iter().flatten() {
        if e["type"].as_u64() != Some(start_job) {
            continue;
        }
        let p = &e["params"];
        let url = p["url"].as_str().unwrap_or_default().to_string();
        if url.starts_with("file:") || url.starts_with("data:") {
            continue;
        }
        let for_page = ["network_isolation_key", "site_for_cookies", "initiator"]
            .iter()
            .any(|k| p[k].as_str().is_some_and(|s| s.contains("file://")));
        if for_page {
            page.push(url.clone());
        }
        all.push(url);
    }
    (page, all)
}

/// Width and height of a PNG file.
pub fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// Markup that would make a browser fetch something: none may appear in a report.
pub fn external_references(html: &str) -> Vec<String> {
    let lower = html.to_lowercase();
    let mut found = Vec::new();
    // The report's one inline script (`<script>` without attributes) loads nothing; a
    // script with a `src`, or any attribute, is an outside reference.
    for needle in [
        "<script ",
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "<video",
        "<audio",
        "<source",
        "@import",
        "url(",
        "srcset=",
        " src=",
        "@font-face",
    ] {
        if lower.contains(needle) {
            found.push(needle.to_string());
        }
    }
    found
}

/// A CSV the report wrote, as rows of cells; it must start with the UTF-8 byte-order mark
/// Excel needs to read it as UTF-8.
pub fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = String::from_utf8(std::fs::read(path).unwrap()).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("UTF-8 byte-order mark for Excel");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}
