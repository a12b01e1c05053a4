//! The interactive screen (`ata2atp tui`), for the consultant on site: one engagement
//! open, walking Inventory → Prerequisites → Checklist → Report over days.
//!
//! The Elm Architecture, as in gitui and the ratatui templates:
//!
//! | module | owns |
//! |---|---|
//! | [`app`] | the state: everything on screen, and values derived from the engagement |
//! | [`msg`] | what can happen: keys, ticks, and what background work reports |
//! | [`update`] | `update(&mut App, Msg) -> Option<Command>`: pure, unit-tested without a terminal |
//! | [`command`] | side effects: the writer (the engagement's lock, one job at a time), runs with a cancellation token |
//! | [`view`], [`screens`], [`widgets`] | drawing, a function of the state; only visible rows are formatted |
//! | [`keys`] | the keymap, which the help overlay lists |
//! | [`layout`] | where things go, shared by `update` (list heights) and the views |
//! | [`sections`] | the Inventory screen's sections: columns, rows, details |
//! | [`load`] | reading the engagement off the render path |
//! | [`progress`] | library progress as messages ("one progress abstraction, two renderers") |
//! | [`strings`], [`theme`] | every word on screen; styles (`NO_COLOR` means none) |
//!
//! The loop: draw a first frame at once (the engagement loads in the background), then
//! wait for a message (key, resize, tick, background report), apply every message queued
//! so far, draw once. Nothing in the loop awaits the network or the disk. The engagement's
//! lock is held for the whole session; a second TUI on the same engagement opens
//! read-only and says who holds it.
//!
//! The TUI holds no domain logic: readiness, gates, acceptance, the checklist's refusals
//! and the report all come from the library.

pub mod app;
pub mod command;
pub mod keys;
pub mod layout;
pub mod load;
pub mod msg;
pub mod progress;
pub mod screens;
pub mod sections;
pub mod strings;
pub mod theme;
pub mod update;
pub mod view;
pub mod widgets;

#[cfg(test)]
mod tests;

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event, EventStream, KeyEventKind, MouseButton,
    MouseEventKind,
};
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::engagement::{Engagement, EngagementError};
use crate::error::Error;
use app::App;
use command::{Command, Executor};
use msg::Msg;

/// Set to a file path, the TUI appends timings to it as JSON lines (`first_frame`,
/// `loaded`: milliseconds since the process started the TUI, and the Unix time in
/// nanoseconds): used by the benchmark and the end-to-end test to know when the screen
/// is up, without sleeping.
pub const TIMINGS_ENV: &str = "ATA2ATP_TUI_TIMINGS";
/// Set (to anything), the TUI quits as soon as the engagement is loaded (benchmark).
pub const EXIT_WHEN_LOADED_ENV: &str = "ATA2ATP_TUI_EXIT_WHEN_LOADED";

/// How the TUI is started.
#[derive(Debug, Clone)]
pub struct Options {
    pub engagement: PathBuf,
    /// Name recorded with changes (default: the engagement's consultant).
    pub by: Option<String>,
    pub color: bool,
}

/// Runs the TUI until the consultant quits; every queued write is on disk when it returns.
pub async fn run(options: Options) -> Result<(), Error> {
    let started = Instant::now();
    // Refused before the terminal is touched: the error is printed normally.
    let Session {
        engagement,
        config,
        lock,
        read_only,
    } = Session::open(&options.engagement)?;

    let mut terminal = TerminalGuard::enter()?;
    let size = terminal.size();
    let mut app = App::new(
        engagement.root(),
        config.clone(),
        options.by.clone(),
        options.color,
        size,
        Utc::now(),
    );
    app.read_only = read_only;
    if let Some(r) = &app.read_only {
        app.notice = Some(app::Notice {
            level: app::Level::Info,
            text: r.clone(),
        });
    }
    terminal.draw(&app)?;
    let timings = Timings::new(started);
    timings.record("first_frame");

    let (tx, mut rx) = unbounded_channel::<Msg>();
    spawn_load(engagement.clone(), config.clone(), tx.clone());
    spawn_input(tx.clone());
    let mut executor = Executor::new(engagement.clone(), config, lock, tx.clone());
    let exit_when_loaded = std::env::var_os(EXIT_WHEN_LOADED_ENV).is_some();
    let mut loaded_recorded = false;

    let mut tick_every = tick_period(&app);
    let mut ticker = tokio::time::interval(tick_every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        let first = tokio::select! {
            m = rx.recv() => m,
            _ = ticker.tick() => Some(Msg::Tick(Utc::now())),
        };
        let Some(first) = first else { break };
        let mut queue = vec![first];
        // Everything already waiting is applied before the next frame: a burst of
        // progress messages costs one draw.
        while let Ok(m) = rx.try_recv() {
            queue.push(m);
        }
        for m in queue {
            if let Some(command) = update::update(&mut app, m) {
                for c in command.flatten() {
                    match c {
                        Command::Copy(text) => terminal.copy(&text),
                        other => executor.execute(other),
                    }
                }
            }
        }
        if app.quit {
            break;
        }
        terminal.draw(&app)?;
        if !loaded_recorded && !app.is_loading() {
            loaded_recorded = true;
            timings.record("loaded");
            if exit_when_loaded {
                break;
            }
        }
        let period = tick_period(&app);
        if period != tick_every {
            tick_every = period;
            ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        }
    }
    drop(terminal);
    // After the screen is restored: a slow final write then shows as a wait at the
    // prompt, not as a frozen screen.
    executor.shutdown().await;
    Ok(())
}

/// An app with the engagement read synchronously, as the background load would leave it:
/// for tests, the benchmark and tools that draw without a terminal.
pub fn load_blocking(
    root: &std::path::Path,
    by: Option<String>,
    color: bool,
    size: (u16, u16),
    now: chrono::DateTime<Utc>,
) -> Result<App, Error> {
    let engagement = Engagement::open(root)?;
    let config = Arc::new(engagement.config()?);
    let mut app = App::new(root, config.clone(), by, color, size, now);
    update::update(
        &mut app,
        Msg::Loaded(Box::new(load::checks_and_checklist(&engagement, &config))),
    );
    update::update(
        &mut app,
        Msg::InventoryLoaded(Box::new(load::inventory(&engagement, &config))),
    );
    Ok(app)
}

/// An engagement opened for the screen: with the writer's lock, or read-only with the
/// reason (another ata2atp holds it, or the folder cannot be locked).
pub struct Session {
    pub engagement: Engagement,
    pub config: Arc<crate::engagement::EngagementConfig>,
    pub lock: Option<crate::engagement::WriteLock>,
    pub read_only: Option<String>,
}

impl Session {
    pub fn open(root: &std::path::Path) -> Result<Self, Error> {
        let engagement = Engagement::open(root)?;
        let config = Arc::new(engagement.config()?);
        // The lock is held for the whole session: one writer per engagement. A second
        // screen still opens, to read, and says who holds it.
        let (lock, read_only) = match engagement.lock() {
            Ok(lock) => (Some(lock), None),
            Err(EngagementError::Locked { holder, .. }) => (
                None,
                Some(strings::lock_holder(&format!("Held by {holder}."))),
            ),
            Err(e) => (None, Some(strings::lock_holder(&e.to_string()))),
        };
        Ok(Self {
            engagement,
            config,
            lock,
            read_only,
        })
    }
}

/// Ticks turn the spinner while a run is active; otherwise once a second (the clock the
/// checklist's waits are measured against).
fn tick_period(app: &App) -> Duration {
    if app.run.active.is_some() {
        Duration::from_millis(120)
    } else {
        Duration::from_secs(1)
    }
}

/// Reads the engagement in the background: checks and checklist first (small), then the
/// inventory (the large one).
fn spawn_load(
    engagement: Engagement,
    config: Arc<crate::engagement::EngagementConfig>,
    tx: UnboundedSender<Msg>,
) {
    tokio::task::spawn_blocking(move || {
        let loaded = load::checks_and_checklist(&engagement, &config);
        let _ = tx.send(Msg::Loaded(Box::new(loaded)));
        let inventory = load::inventory(&engagement, &config);
        let _ = tx.send(Msg::InventoryLoaded(Box::new(inventory)));
    });
}

/// Keys and resizes from the terminal, as messages.
fn spawn_input(tx: UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(event) = events.next().await {
            let msg = match event {
                // Windows reports releases too; only presses (and repeats) are keys.
                Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => Msg::Key(k),
                Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
                // Only what the screen acts on: a stream of moves would cost a frame each.
                Ok(Event::Mouse(m))
                    if matches!(
                        m.kind,
                        MouseEventKind::ScrollUp
                            | MouseEventKind::ScrollDown
                            | MouseEventKind::Down(MouseButton::Left)
                    ) =>
                {
                    Msg::Mouse(m)
                }
                Ok(_) => continue,
                Err(_) => break,
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
}

struct Timings {
    file: Option<PathBuf>,
    started: Instant,
}

impl Timings {
    fn new(started: Instant) -> Self {
        Self {
            file: std::env::var_os(TIMINGS_ENV).map(PathBuf::from),
            started,
        }
    }

    fn record(&self, event: &str) {
        let Some(path) = &self.file else { return };
        let unix_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let line = format!(
            "{{\"event\":\"{event}\",\"ms\":{:.3},\"unix_ns\":{unix_ns}}}\n",
            self.started.elapsed().as_secs_f64() * 1000.0
        );
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// The terminal in raw mode on the alternate screen with the mouse captured, restored
/// when dropped, on error and on panic.
struct TerminalGuard {
    terminal: Terminal<CrosstermBackend<io::Stdout>>,
}

impl TerminalGuard {
    fn enter() -> Result<Self, Error> {
        install_panic_hook();
        let fail = |e: io::Error| Error::Input(format!("could not set up the terminal: {e}"));
        enable_raw_mode().map_err(fail)?;
        if let Err(e) = execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture) {
            restore();
            return Err(fail(e));
        }
        match Terminal::new(CrosstermBackend::new(io::stdout())) {
            Ok(terminal) => Ok(Self { terminal }),
            Err(e) => {
                restore();
                Err(fail(e))
            }
        }
    }

    fn size(&self) -> (u16, u16) {
        self.terminal
            .size()
            .map(|s| (s.width, s.height))
            .unwrap_or((80, 24))
    }

    fn draw(&mut self, app: &App) -> Result<(), Error> {
        self.terminal
            .draw(|f| view::view(f, app))
            .map(|_| ())
            .map_err(|e| Error::Input(format!("could not draw on the terminal: {e}")))
    }

    /// OSC 52: the terminal puts the text on the system clipboard (works over SSH; tmux
    /// passes it on with `set-clipboard on`).
    fn copy(&mut self, text: &str) {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(text);
        let mut out = io::stdout();
        let _ = write!(out, "\x1b]52;c;{encoded}\x07");
        let _ = out.flush();
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Undoes `enter` (raw mode, the alternate screen, mouse capture): on drop, on a failed
/// start and from the panic hook, so the shell never keeps receiving mouse reports.
fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
}

/// A panic anywhere (the loop or a background task) restores the terminal first, so
/// the message is readable and the shell usable, then ends the process: a half-working
/// screen is worse than none. Saved work is safe: every write is a complete file.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
            eprintln!(
                "ata2atp's screen stopped on an internal error (above). Everything saved \
                 before is intact in the engagement folder. Please report this with the \
                 message above."
            );
            std::process::exit(101);
        }));
    });
}
