//! The command line: `ticketrail-server [flags]` serves; two subcommands
//! provision a database without a network or a UI (`PROTOCOL.md` v2):
//!
//! - `ticketrail-server token --db PATH --role ROLE [--outlet ID] --name NAME`
//!   prints one new token on STDOUT;
//! - `ticketrail-server outlet add --db PATH --id ID --name NAME --timezone
//!   IANA --currency ISO4217` creates an outlet;
//! - `ticketrail-server pairing-code --db PATH --outlet ID --role ROLE --name
//!   NAME` prints a pairing code (10 minutes, single use), so a launcher
//!   such as `cargo xtask demo` can hand out links that pair a screen.
//!
//! Both work whether or not a server is running on the file.

use std::path::PathBuf;

use chrono::Utc;
use clap::{Args, Parser, Subcommand};
use thiserror::Error;
use ticketrail_protocol::access::{validate_outlet, validate_pairing_request, MAX_NAME_CHARS};
use ticketrail_protocol::validate::validate_id;
use ticketrail_protocol::{OutletInput, PairingCodeRequest, Role};

use crate::access::secret;
use crate::config::Config;
use crate::devices::CODE_VALID;
use crate::error::AppError;
use crate::store::provision;
use crate::store::{Credential, CredentialKind, NewOutlet, NewPairingCode, StoreError};

/// Everything the binary accepts.
#[derive(Debug, Parser)]
#[command(
    name = "ticketrail-server",
    version,
    about = "The Ticketrail outlet server: menu sync, orders, kitchen feed and WebSocket over SQLite.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// A provisioning subcommand; none: serve.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The server's flags.
    #[command(flatten)]
    pub serve: Config,
}

/// The provisioning subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print one new token for a role (and outlet) on STDOUT, then exit.
    Token(TokenArgs),
    /// Print one pairing code for a screen on STDOUT, then exit.
    PairingCode(PairingCodeArgs),
    /// Manage outlets.
    Outlet {
        /// What to do.
        #[command(subcommand)]
        command: OutletCommand,
    },
}

/// `--db PATH`, the file every subcommand writes to (created and migrated
/// if missing). Default `./ticketrail.db`, as for the server.
#[derive(Debug, Args)]
pub struct Database {
    /// The database file. Default `./ticketrail.db`.
    #[arg(
        long = "db",
        env = "TICKETRAIL_DB",
        default_value = "ticketrail.db",
        hide_default_value = true
    )]
    pub path: PathBuf,
}

/// `token` flags.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The database file.
    #[command(flatten)]
    pub db: Database,
    /// kiosk, kitchen, manager or admin.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// The outlet it is bound to; required for every role but admin.
    #[arg(long)]
    pub outlet: Option<String>,
    /// A name people recognise it by, shown in the device list.
    #[arg(long)]
    pub name: String,
}

/// `pairing-code` flags.
#[derive(Debug, Args)]
pub struct PairingCodeArgs {
    /// The database file.
    #[command(flatten)]
    pub db: Database,
    /// The outlet the screen will serve.
    #[arg(long)]
    pub outlet: String,
    /// kiosk, kitchen or manager.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// A name people recognise the screen by.
    #[arg(long)]
    pub name: String,
}

/// `outlet` subcommands.
#[derive(Debug, Subcommand)]
pub enum OutletCommand {
    /// Create an outlet.
    Add(OutletAddArgs),
}

/// `outlet add` flags.
#[derive(Debug, Args)]
pub struct OutletAddArgs {
    /// The database file.
    #[command(flatten)]
    pub db: Database,
    /// Stable id, e.g. `1` or `senayan`.
    #[arg(long)]
    pub id: String,
    /// Display name.
    #[arg(long)]
    pub name: String,
    /// IANA time zone, e.g. `Asia/Jakarta`.
    #[arg(long)]
    pub timezone: String,
    /// ISO 4217 currency code, e.g. `IDR`.
    #[arg(long)]
    pub currency: String,
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text)
        .ok_or_else(|| format!("{text:?} is not one of kiosk, kitchen, manager, admin"))
}

/// Why a subcommand failed; each message tells the operator what to fix.
#[derive(Debug, Error)]
pub enum CliError {
    /// A flag's value is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The database refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Making a secret failed.
    #[error(transparent)]
    Secret(#[from] AppError),
}

/// Runs a subcommand; `Ok` holds what to print on STDOUT.
pub async fn run(command: Command) -> Result<String, CliError> {
    match command {
        Command::Token(args) => token(args).await,
        Command::PairingCode(args) => pairing_code(args).await,
        Command::Outlet {
            command: OutletCommand::Add(args),
        } => {
            let input = OutletInput {
                id: args.id,
                name: args.name,
                timezone: args.timezone,
                currency: args.currency,
            };
            validate_outlet(&input).map_err(|error| CliError::Invalid(error.to_string()))?;
            let outlet = NewOutlet::from_input(input)?;
            provision::add_outlet(&args.db.path, &outlet).await?;
            Ok(format!("outlet {} added", outlet.id))
        }
    }
}

async fn pairing_code(args: PairingCodeArgs) -> Result<String, CliError> {
    let request = PairingCodeRequest {
        outlet_id: args.outlet,
        role: args.role,
        name: args.name,
    };
    validate_pairing_request(&request).map_err(|e| CliError::Invalid(e.to_string()))?;
    if request.role == Role::Admin {
        return Err(CliError::Invalid(
            "screens pair as kiosk, kitchen or manager; use `token` for an admin".into(),
        ));
    }
    let code = secret::new_pairing_code()?;
    let stored = NewPairingCode {
        code_hash: secret::hash_secret(&secret::normalize_code(&code)),
        outlet_id: request.outlet_id,
        role: request.role,
        name: request.name,
        expires_at: Utc::now() + CODE_VALID,
    };
    provision::add_pairing_code(&args.db.path, &stored).await?;
    Ok(code)
}

async fn token(args: TokenArgs) -> Result<String, CliError> {
    match (args.role, &args.outlet) {
        (Role::Admin, Some(_)) => {
            return Err(CliError::Invalid(
                "an admin token is for every outlet: leave out --outlet".into(),
            ))
        }
        (role, None) if role != Role::Admin => {
            return Err(CliError::Invalid(format!(
                "a {} token needs --outlet",
                role.as_str()
            )))
        }
        (_, Some(outlet)) => {
            validate_id("outlet", outlet).map_err(|e| CliError::Invalid(e.to_string()))?
        }
        _ => {}
    }
    let name = args.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(CliError::Invalid(format!(
            "--name must be 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    let token = secret::new_token()?;
    let credential = Credential {
        id: secret::new_id("dev-")?,
        kind: CredentialKind::Device,
        token_hash: secret::hash_secret(&token),
        name: name.to_owned(),
        role: args.role,
        outlet_id: args.outlet,
        created_at: Utc::now(),
        expires_at: None,
        last_seen_at: None,
        revoked: false,
    };
    provision::add_credential(&args.db.path, &credential).await?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn subcommands_and_serving_flags_parse_apart() {
        let cli = Cli::try_parse_from([
            "ticketrail-server",
            "token",
            "--db",
            "x.db",
            "--role",
            "kiosk",
            "--outlet",
            "1",
            "--name",
            "Door",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Token(TokenArgs {
                role: Role::Kiosk,
                ..
            }))
        ));
        let cli = Cli::try_parse_from(["ticketrail-server", "--demo"]).unwrap();
        assert!(cli.command.is_none() && cli.serve.demo);
        assert!(Cli::try_parse_from(["ticketrail-server", "token", "--role", "chef"]).is_err());
    }

    #[tokio::test]
    async fn tokens_need_an_outlet_except_for_admins() {
        let dir = tempfile::tempdir().unwrap();
        let args = |role, outlet: Option<&str>| TokenArgs {
            db: Database {
                path: dir.path().join("t.db"),
            },
            role,
            outlet: outlet.map(str::to_owned),
            name: "script".into(),
        };
        assert!(matches!(
            token(args(Role::Kiosk, None)).await,
            Err(CliError::Invalid(_))
        ));
        assert!(matches!(
            token(args(Role::Admin, Some("1"))).await,
            Err(CliError::Invalid(_))
        ));
        assert!(matches!(
            token(args(Role::Kiosk, Some("1"))).await,
            Err(CliError::Store(_))
        ));
        assert_eq!(token(args(Role::Admin, None)).await.unwrap().len(), 64);
    }
}
