//! PDF through a locally installed Chromium, Chrome or Edge in headless mode: the HTML
//! report printed with its print stylesheet (page breaks, running headers, page numbers).
//!
//! Nothing is downloaded: without a browser, `--format pdf` stops with a message naming
//! what was looked for (exit 3, like any other tool or source that is not there) and how
//! to point at one (`--browser PATH` or `ATA2ATP_BROWSER`). The browser runs with a fresh
//! profile, no background services, and a host resolver that resolves nothing, so the
//! customer's data never leaves the machine while it prints.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Error;

/// Environment variable naming the browser to print with.
pub const BROWSER_ENV: &str = "ATA2ATP_BROWSER";

/// Program names tried on `PATH`, in order.
const NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "microsoft-edge",
    "msedge",
];

/// Where the browsers install themselves outside `PATH`.
const KNOWN_PATHS: &[&str] = &[
    "/usr/bin/chromium",
    "/snap/bin/chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
];

/// How long printing may take before it is abandoned.
pub const TIMEOUT: Duration = Duration::from_secs(180);

/// The browser to print with: `explicit` (flag or environment), else the first found.
pub fn find_browser(explicit: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(p) = explicit {
        return if p.is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(Error::BrowserMissing {
                searched: format!(
                    "{} (given with --browser or {BROWSER_ENV}), which does not exist",
                    p.display()
                ),
            })
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in NAMES {
        for dir in std::env::split_paths(&path) {
            for candidate in [dir.join(name), dir.join(format!("{name}.exe"))] {
                if candidate.is_file() {
                    return Ok(candidate);
                }
            }
        }
    }
    for p in KNOWN_PATHS {
        let p = Path::new(p);
        if p.is_file() {
            return Ok(p.to_path_buf());
        }
    }
    Err(Error::BrowserMissing {
        searched: format!(
            "{} on PATH, and the usual install folders of Chrome, Chromium and Edge",
            NAMES.join(", ")
        ),
    })
}

/// Chromium refuses to start its sandbox as root (containers, CI); only then is it off.
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// The switches for a headless run that talks to nobody.
pub fn headless_args(profile: &Path) -> Vec<String> {
    let mut args = vec![
        "--headless".to_string(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--no-default-browser-check".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-extensions".into(),
        "--disable-default-apps".into(),
        "--disable-domain-reliability".into(),
        "--no-pings".into(),
        // Every host name fails to resolve: Chromium's own update and sign-in probes go
        // nowhere, and the report (which loads nothing) cannot either.
        "--host-resolver-rules=MAP * ~NOTFOUND".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    if running_as_root() {
        args.push("--no-sandbox".into());
    }
    args
}

/// `file://` URL of a local file.
pub fn file_url(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let text = abs.to_string_lossy().replace('\\', "/");
    let encoded: String = text
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            '%' => "%25".to_string(),
            c => c.to_string(),
        })
        .collect();
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        format!("file:///{encoded}")
    }
}

/// Prints `html` (a file) to PDF bytes with `browser`, saying on `progress` when the
/// browser started and when it printed.
pub async fn print(
    browser: &Path,
    html: &Path,
    progress: &dyn crate::progress::Progress,
) -> Result<Vec<u8>, Error> {
    let work = tempfile::tempdir().map_err(|source| Error::Io {
        action: "create a temporary folder for",
        path: PathBuf::from("the browser profile"),
        source,
    })?;
    let profile = work.path().join("profile");
    let pdf = work.path().join("report.pdf");
    let mut cmd = tokio::process::Command::new(browser);
    cmd.args(headless_args(&profile))
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(html))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let failed = |message: String| Error::Browser {
        browser: browser.to_path_buf(),
        message,
    };
    let starting = format!("PDF: starting {}", browser.display());
    progress.start(&starting, None);
    let child = cmd.spawn().map_err(|e| {
        progress.finish(&starting, "failed");
        failed(format!("could not start it: {e}"))
    })?;
    progress.finish(&starting, "started");
    let printing = "PDF: printing (the browser lays out every page)";
    progress.start(printing, None);
    let waited = tokio::time::timeout(TIMEOUT, child.wait_with_output()).await;
    progress.finish(
        printing,
        if matches!(waited, Ok(Ok(ref o)) if o.status.success()) {
            "done"
        } else {
            "failed"
        },
    );
    let output = waited
        .map_err(|_| {
            failed(format!(
                "no PDF after {} s; it was stopped",
                TIMEOUT.as_secs()
            ))
        })?
        .map_err(|e| failed(format!("could not wait for it: {e}")))?;
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    if !output.status.success() || !bytes.starts_with(b"%PDF") {
        let stderr = String::from_utf8_lossy(&output.stderr);
        // Chromium logs much noise (D-Bus, GPU); the last lines say what went wrong.
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
        return Err(failed(format!(
            "it exited with {} without writing a PDF{}",
            output.status,
            if tail.is_empty() {
                String::new()
            } else {
                format!(
                    ": {}",
                    tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
                )
            }
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_given_that_does_not_exist_is_named() {
        let err = find_browser(Some(Path::new("/nowhere/chrome")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nowhere/chrome"), "{err}");
    }

    #[test]
    fn file_urls_are_absolute_and_encoded() {
        assert_eq!(
            file_url(Path::new("/tmp/a b#1.html")),
            "file:///tmp/a%20b%231.html"
        );
    }
}
