//! The server's STDOUT, read to its end on a thread of its own, so a chatty
//! server never blocks on a full pipe (nor sees EPIPE, which would turn a
//! `println!` into a panic), and whoever waits for an announcement wakes
//! when it comes, when STDOUT closes or at its deadline.

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Instant;

use crate::announce::Announcement;

/// What the server has announced so far: the first URL of each kind.
#[derive(Debug, Default)]
pub(crate) struct Announced {
    /// [`Announcement::Listening`].
    pub(crate) listening: Option<String>,
    /// [`Announcement::Trust`].
    pub(crate) trust: Option<String>,
    /// [`Announcement::Setup`].
    pub(crate) setup: Option<String>,
    /// STDOUT has closed: nothing more will come.
    closed: bool,
}

impl Announced {
    /// Keeps `announcement`'s URL unless one of its kind came before.
    fn note(&mut self, announcement: Announcement<'_>) {
        let slot = match announcement {
            Announcement::Listening(_) => &mut self.listening,
            Announcement::Trust(_) => &mut self.trust,
            Announcement::Setup(_) => &mut self.setup,
        };
        slot.get_or_insert_with(|| announcement.url().to_owned());
    }
}

/// How waiting for an announcement ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Waited<T> {
    /// It came.
    Found(T),
    /// STDOUT closed without it (the server has exited, most likely).
    Closed,
    /// The deadline passed first.
    TimedOut,
}

/// The announcements, shared by the reading thread and the waiters.
#[derive(Debug, Default)]
pub(crate) struct Stdout {
    announced: Mutex<Announced>,
    changed: Condvar,
}

impl Stdout {
    /// Starts reading `pipe` to its end on a new thread; with `echo`, every
    /// line is printed to this process's STDOUT as well.
    pub(crate) fn drain(pipe: impl Read + Send + 'static, echo: bool) -> Arc<Stdout> {
        let stdout = Arc::new(Stdout::default());
        let reader = Arc::clone(&stdout);
        thread::spawn(move || reader.read(pipe, echo));
        stdout
    }

    /// The setup address, if it has come.
    pub(crate) fn setup(&self) -> Option<String> {
        self.lock().setup.clone()
    }

    /// Waits until `pick` finds something in what was announced, STDOUT
    /// closes or `until` passes.
    pub(crate) fn wait_for<T>(
        &self,
        until: Instant,
        pick: impl Fn(&Announced) -> Option<T>,
    ) -> Waited<T> {
        let mut announced = self.lock();
        loop {
            if let Some(found) = pick(&announced) {
                return Waited::Found(found);
            }
            if announced.closed {
                return Waited::Closed;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Waited::TimedOut;
            }
            announced = self
                .changed
                .wait_timeout(announced, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn read(&self, pipe: impl Read, echo: bool) {
        let mut pipe = BufReader::new(pipe);
        let mut bytes = Vec::new();
        // Bytes, not `lines()`: a line that is not UTF-8 must not stop the
        // draining.
        while matches!(pipe.read_until(b'\n', &mut bytes), Ok(read) if read > 0) {
            let line = String::from_utf8_lossy(&bytes);
            if echo {
                // A closed STDOUT of ours is no reason to stop draining.
                let _ = write!(std::io::stdout().lock(), "{line}");
            }
            if let Some(announcement) = Announcement::parse(&line) {
                self.update(|announced| announced.note(announcement));
            }
            bytes.clear();
        }
        self.update(|announced| announced.closed = true);
    }

    fn update(&self, change: impl FnOnce(&mut Announced)) {
        change(&mut self.lock());
        self.changed.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, Announced> {
        self.announced
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    /// A pipe the test writes lines into; it closes when the sender drops.
    struct Pipe(mpsc::Receiver<&'static str>, Cursor<&'static str>);

    impl Read for Pipe {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.1.position() == self.1.get_ref().len() as u64 {
                match self.0.recv() {
                    Ok(line) => self.1 = Cursor::new(line),
                    Err(_) => return Ok(0),
                }
            }
            self.1.read(buf)
        }
    }

    fn pipe() -> (mpsc::Sender<&'static str>, Arc<Stdout>) {
        let (lines, receiver) = mpsc::channel();
        (lines, Stdout::drain(Pipe(receiver, Cursor::new("")), false))
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    fn listening(announced: &Announced) -> Option<String> {
        announced.listening.clone()
    }

    #[test]
    fn keeps_the_first_announcement_of_each_kind() {
        let stdout = Stdout::drain(
            Cursor::new(
                "hello\n\
                 ticketrail-server listening on http://127.0.0.1:1\n\
                 ticketrail-server listening on http://127.0.0.1:2\n\
                 ticketrail-server setup at http://127.0.0.1:1/setup?code=c\n",
            ),
            false,
        );
        assert_eq!(
            stdout.wait_for(soon(), listening),
            Waited::Found("http://127.0.0.1:1".to_owned())
        );
        assert_eq!(
            stdout.wait_for(soon(), |announced| announced.trust.clone()),
            Waited::Closed
        );
        assert_eq!(
            stdout.setup().as_deref(),
            Some("http://127.0.0.1:1/setup?code=c")
        );
    }

    #[test]
    fn wakes_when_the_line_comes_and_times_out_without_it() {
        let (lines, stdout) = pipe();
        let waiter = thread::spawn({
            let stdout = Arc::clone(&stdout);
            move || stdout.wait_for(soon(), listening)
        });
        lines.send("ticketrail-server listen").unwrap();
        lines.send("ing on http://127.0.0.1:7\n").unwrap();
        assert_eq!(
            waiter.join().unwrap(),
            Waited::Found("http://127.0.0.1:7".to_owned())
        );
        let shortly = Instant::now() + Duration::from_millis(50);
        assert_eq!(
            stdout.wait_for(shortly, |announced| announced.setup.clone()),
            Waited::TimedOut
        );
        drop(lines);
        assert_eq!(
            stdout.wait_for(soon(), |announced| announced.setup.clone()),
            Waited::Closed
        );
    }

    #[test]
    fn a_line_that_is_not_utf8_does_not_stop_the_draining() {
        let mut bytes = b"\xff\xfe\n".to_vec();
        bytes.extend_from_slice(b"ticketrail-server listening on http://127.0.0.1:3\n");
        let stdout = Stdout::drain(Cursor::new(bytes), false);
        assert_eq!(
            stdout.wait_for(soon(), listening),
            Waited::Found("http://127.0.0.1:3".to_owned())
        );
    }
}
