//! The server binary as a command: with none of this process's
//! `TICKETRAIL_*` variables, so a developer's shell cannot change what a
//! test or the demo runs (the server reads its whole configuration from
//! them), and the provisioning subcommands that print one line.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

/// How the server's environment variables start.
const ENV_PREFIX: &str = "TICKETRAIL_";

/// `bin` as a command with every `TICKETRAIL_*` variable of this process
/// removed; set one on it explicitly to pass it on. Arguments, more
/// variables, the working directory and STDERR (inherited unless set) are
/// the caller's; [`crate::Process::start`] sets STDIN and STDOUT.
pub fn command(bin: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(bin);
    for (key, _) in std::env::vars_os() {
        if is_server_env(&key) {
            command.env_remove(key);
        }
    }
    command
}

/// Runs the provisioning `subcommand` of the server binary `bin` (`token`,
/// `pairing-code`, ...) on the database `db` with `args`, and returns the
/// one line it printed (a token or a code), trimmed.
pub fn provision(
    bin: &Path,
    subcommand: &str,
    db: &Path,
    args: &[impl AsRef<str>],
) -> Result<String> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let output = command(bin)
        .arg(subcommand)
        .arg("--db")
        .arg(db)
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("could not run {} {subcommand}", bin.display()))?;
    if !output.status.success() {
        bail!(
            "ticketrail-server {subcommand} {} failed ({}): {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let line = String::from_utf8(output.stdout)
        .with_context(|| format!("ticketrail-server {subcommand} printed no text"))?;
    Ok(line.trim().to_owned())
}

/// Whether `key` names one of the server's environment variables.
fn is_server_env(key: &OsStr) -> bool {
    key.to_str().is_some_and(|key| key.starts_with(ENV_PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_servers_variables_are_removed() {
        assert!(is_server_env(OsStr::new("TICKETRAIL_DB")));
        assert!(is_server_env(OsStr::new("TICKETRAIL_WS_PING_SECS")));
        assert!(!is_server_env(OsStr::new("PATH")));
        assert!(!is_server_env(OsStr::new("ticketrail_db")));
        assert!(!is_server_env(OsStr::new("MY_TICKETRAIL_DB")));
    }

    #[test]
    fn provision_returns_the_trimmed_line() {
        let line = provision(
            Path::new("/bin/echo"),
            "token",
            Path::new("t.db"),
            &["--role", "admin"],
        )
        .unwrap();
        assert_eq!(line, "token --db t.db --role admin");
    }

    #[test]
    fn a_failing_subcommand_is_an_error_with_its_stderr() {
        use std::os::unix::fs::PermissionsExt;
        let script = std::env::temp_dir().join(format!(
            "ticketrail-launch-failing-{}.sh",
            std::process::id()
        ));
        std::fs::write(&script, "#!/bin/sh\necho no such outlet >&2\nexit 2\n").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
        let error = provision(&script, "token", Path::new("t.db"), &["--outlet", "9"]);
        std::fs::remove_file(&script).unwrap();
        let message = format!("{:#}", error.unwrap_err());
        assert!(message.contains("token --outlet 9 failed"), "{message}");
        assert!(message.contains("exit status: 2"), "{message}");
        assert!(message.contains("no such outlet"), "{message}");
    }
}
