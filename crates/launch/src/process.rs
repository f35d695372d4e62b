//! A running `ticketrail-server` child: started from [`crate::command`],
//! found listening within a deadline, then signalled, stopped or killed. A
//! dropped one is killed and reaped, so a failing test or tool never leaves
//! it behind.

use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::signal::{self, Signal};
use crate::stdout::{Announced, Stdout, Waited};

/// How often the waits for an exit look at the child.
const POLL: Duration = Duration::from_millis(20);

/// How long a server whose STDOUT closed gets to exit before an error says
/// only that STDOUT closed.
const EXIT_AFTER_CLOSE: Duration = Duration::from_secs(5);

/// What [`Process::start`] waits for, and how long.
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// How long the server may take to announce all it is waited for.
    /// Default 30 s: migrations and the demo seed on a busy machine.
    pub deadline: Duration,
    /// Wait for its trust page line too, which it prints when it has a
    /// `--http-listen` listener. Default false.
    pub trust: bool,
    /// Print every STDOUT line to this process's STDOUT as well. Default
    /// false: the lines are read and dropped.
    pub echo: bool,
}

impl Default for StartOptions {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(30),
            trust: false,
            echo: false,
        }
    }
}

/// An announcement [`Process`] waits for.
#[derive(Debug, Clone, Copy)]
enum Awaited {
    Listening,
    Trust,
    Setup,
}

impl Awaited {
    /// Its URL, if it has come.
    fn pick(self, announced: &Announced) -> Option<String> {
        match self {
            Self::Listening => announced.listening.clone(),
            Self::Trust => announced.trust.clone(),
            Self::Setup => announced.setup.clone(),
        }
    }

    /// The line, for an error that says it did not come.
    fn line(self) -> &'static str {
        match self {
            Self::Listening => "ticketrail-server listening on URL",
            Self::Trust => "ticketrail-server trust page on URL",
            Self::Setup => "ticketrail-server setup at URL",
        }
    }

    /// What the server had not done yet when it exited without the line.
    fn before(self) -> &'static str {
        match self {
            Self::Listening => "listening",
            Self::Trust => "printing its trust page address",
            Self::Setup => "printing its setup address",
        }
    }
}

/// A server process, running or exited; killed when dropped.
#[derive(Debug)]
pub struct Process {
    child: Child,
    /// The binary's file name, for messages.
    name: String,
    stdout: Arc<Stdout>,
    url: String,
    trust_url: Option<String>,
    /// Set once the child is reaped: from then on its pid may name another
    /// process, so nothing is sent to it.
    exited: Option<ExitStatus>,
}

impl Process {
    /// Spawns `command` (made by [`crate::command`]) with STDIN closed and
    /// STDOUT piped, and waits until the server says where it listens (and,
    /// with [`StartOptions::trust`], where its trust page is). An error
    /// names the line that did not come, or says the server exited first
    /// and with what status; the child is killed then.
    pub fn start(mut command: Command, options: &StartOptions) -> Result<Process> {
        let until = Instant::now() + options.deadline;
        let program = Path::new(command.get_program());
        let name = program
            .file_name()
            .unwrap_or(program.as_os_str())
            .to_string_lossy()
            .into_owned();
        let shown = program.display().to_string();
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("could not start {shown}"))?;
        let pipe = child.stdout.take();
        // Owned from here on, so every error below kills the child.
        let mut process = Process {
            child,
            name,
            stdout: Arc::default(),
            url: String::new(),
            trust_url: None,
            exited: None,
        };
        process.stdout = Stdout::drain(pipe.context("STDOUT was not piped")?, options.echo);
        process.url = process.announced(Awaited::Listening, until, options.deadline)?;
        if options.trust {
            process.trust_url = Some(process.announced(Awaited::Trust, until, options.deadline)?);
        }
        Ok(process)
    }

    /// The app's base URL from the listening line, as printed (e.g.
    /// `https://0.0.0.0:8443`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The trust page's URL (`http://ADDR/trust`), when
    /// [`StartOptions::trust`] waited for it.
    pub fn trust_url(&self) -> Option<&str> {
        self.trust_url.as_deref()
    }

    /// The first-run setup address (`…/setup?code=…`), once the server has
    /// printed it: it does right after listening while nobody can sign in.
    pub fn setup_url(&self) -> Option<String> {
        self.stdout.setup()
    }

    /// Waits up to `within` for the first-run setup address.
    pub fn wait_setup_url(&mut self, within: Duration) -> Result<String> {
        self.announced(Awaited::Setup, Instant::now() + within, within)
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` without waiting for its effect; nothing once the
    /// child has been reaped.
    pub fn signal(&self, signal: Signal) -> Result<()> {
        match self.exited {
            Some(_) => Ok(()),
            None => signal::send(self.pid(), signal),
        }
    }

    /// Whether the child has exited (on its own, or after a signal).
    pub fn has_exited(&mut self) -> bool {
        !matches!(self.try_wait(), Ok(None))
    }

    /// Waits for the child to exit, however long that takes.
    pub fn wait(&mut self) -> Result<ExitStatus> {
        if let Some(status) = self.exited {
            return Ok(status);
        }
        let status = self
            .child
            .wait()
            .with_context(|| format!("waiting for {}", self.name))?;
        self.exited = Some(status);
        Ok(status)
    }

    /// Waits up to `within` for the child to exit; `None` if it still runs.
    pub fn wait_timeout(&mut self, within: Duration) -> Result<Option<ExitStatus>> {
        let until = Instant::now() + within;
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(Some(status));
            }
            if Instant::now() >= until {
                return Ok(None);
            }
            thread::sleep(POLL);
        }
    }

    /// Sends `signal` (SIGTERM or SIGINT: a graceful shutdown) and waits up
    /// to `grace` for the child to exit; if it does not, kills it and
    /// returns an error saying so. An exited child just gives its status.
    pub fn stop(&mut self, signal: Signal, grace: Duration) -> Result<ExitStatus> {
        if let Some(status) = self.try_wait()? {
            return Ok(status);
        }
        self.signal(signal)?;
        if let Some(status) = self.wait_timeout(grace)? {
            return Ok(status);
        }
        self.kill()?;
        bail!(
            "{} did not exit within {grace:?} of {signal} and was killed",
            self.name
        )
    }

    /// SIGKILL, then waits for the child: it gets no chance to flush
    /// anything.
    pub fn kill(&mut self) -> Result<ExitStatus> {
        if let Some(status) = self.exited {
            return Ok(status);
        }
        // std sends nothing to a child it has reaped, and an exited one
        // that is not reaped yet still holds its pid.
        self.child
            .kill()
            .with_context(|| format!("killing {}", self.name))?;
        self.wait()
    }

    fn try_wait(&mut self) -> Result<Option<ExitStatus>> {
        if self.exited.is_none() {
            self.exited = self
                .child
                .try_wait()
                .with_context(|| format!("checking on {}", self.name))?;
        }
        Ok(self.exited)
    }

    /// The URL of `awaited`, once it comes before `until`; `deadline` is
    /// the whole wait, for the message.
    fn announced(
        &mut self,
        awaited: Awaited,
        until: Instant,
        deadline: Duration,
    ) -> Result<String> {
        match self
            .stdout
            .wait_for(until, |announced| awaited.pick(announced))
        {
            Waited::Found(url) => Ok(url),
            Waited::TimedOut => bail!(
                "{} printed no `{}` line within {deadline:?}",
                self.name,
                awaited.line()
            ),
            Waited::Closed => match self.wait_timeout(EXIT_AFTER_CLOSE)? {
                Some(status) => bail!(
                    "{} exited with {status} before {}",
                    self.name,
                    awaited.before()
                ),
                None => bail!(
                    "{} closed its STDOUT before {}",
                    self.name,
                    awaited.before()
                ),
            },
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // Errors mean it is gone already.
        let _ = self.kill();
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;

    use super::*;

    const LISTENING: &str = "echo ticketrail-server listening on http://127.0.0.1:9";

    /// Starts `sh -c script` as if it were the server.
    fn start(script: &str, options: &StartOptions) -> Result<Process> {
        let mut command = crate::command("/bin/sh");
        command.args(["-c", script]);
        Process::start(command, options)
    }

    fn quick() -> StartOptions {
        StartOptions {
            deadline: Duration::from_millis(300),
            ..StartOptions::default()
        }
    }

    fn error(started: Result<Process>) -> String {
        format!("{:#}", started.unwrap_err())
    }

    #[test]
    fn starts_once_listening_and_stops_on_sigterm() {
        let script = format!("echo starting; {LISTENING}; exec sleep 30");
        let mut process = start(&script, &StartOptions::default()).unwrap();
        assert_eq!(process.url(), "http://127.0.0.1:9");
        assert_eq!(process.trust_url(), None);
        assert!(!process.has_exited());
        let status = process.stop(Signal::Term, Duration::from_secs(10)).unwrap();
        assert_eq!(status.signal(), Some(libc::SIGTERM));
        assert!(process.has_exited());
        process.signal(Signal::Kill).unwrap();
    }

    #[test]
    fn waits_for_the_trust_line_when_asked() {
        let script = format!(
            "{LISTENING}; sleep 0.1; \
             echo ticketrail-server trust page on http://127.0.0.1:10/trust; exec sleep 30"
        );
        let options = StartOptions {
            trust: true,
            ..StartOptions::default()
        };
        let process = start(&script, &options).unwrap();
        assert_eq!(process.trust_url(), Some("http://127.0.0.1:10/trust"));
    }

    #[test]
    fn keeps_the_setup_address() {
        let script = format!(
            "{LISTENING}; echo ticketrail-server setup at http://127.0.0.1:9/setup?code=c; \
             exec sleep 30"
        );
        let mut process = start(&script, &StartOptions::default()).unwrap();
        let url = process.wait_setup_url(Duration::from_secs(10)).unwrap();
        assert_eq!(url, "http://127.0.0.1:9/setup?code=c");
        assert_eq!(process.setup_url(), Some(url));
    }

    #[test]
    fn says_how_it_exited_before_listening() {
        let message = error(start("echo starting; exit 3", &StartOptions::default()));
        assert_eq!(message, "sh exited with exit status: 3 before listening");
    }

    #[test]
    fn names_the_line_that_did_not_come() {
        let message = error(start("exec sleep 30", &quick()));
        assert_eq!(
            message,
            "sh printed no `ticketrail-server listening on URL` line within 300ms"
        );
        let options = StartOptions {
            trust: true,
            ..quick()
        };
        let message = error(start(&format!("{LISTENING}; exec sleep 30"), &options));
        assert_eq!(
            message,
            "sh printed no `ticketrail-server trust page on URL` line within 300ms"
        );
        let message = error(start(&format!("{LISTENING}; exit 0"), &options));
        assert_eq!(
            message,
            "sh exited with exit status: 0 before printing its trust page address"
        );
    }

    #[test]
    fn kills_what_ignores_sigterm() {
        let script = format!("trap '' TERM; {LISTENING}; exec sleep 30");
        let mut process = start(&script, &StartOptions::default()).unwrap();
        let message = format!(
            "{:#}",
            process
                .stop(Signal::Term, Duration::from_millis(200))
                .unwrap_err()
        );
        assert_eq!(
            message,
            "sh did not exit within 200ms of SIGTERM and was killed"
        );
        assert_eq!(process.wait().unwrap().signal(), Some(libc::SIGKILL));
    }

    #[test]
    fn a_dropped_process_is_killed_and_reaped() {
        let process = start(&format!("{LISTENING}; exec sleep 30"), &quick()).unwrap();
        let proc_dir = format!("/proc/{}", process.pid());
        assert!(Path::new(&proc_dir).exists());
        drop(process);
        assert!(!Path::new(&proc_dir).exists(), "{proc_dir} is still there");
    }

    #[test]
    fn a_missing_binary_is_an_error_naming_it() {
        let command = crate::command("/nonexistent/ticketrail-server");
        let message = error(Process::start(command, &quick()));
        assert!(
            message.starts_with("could not start /nonexistent/ticketrail-server"),
            "{message}"
        );
    }
}
