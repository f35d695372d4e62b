//! Makes cargo rebuild the server when a file in `migrations/` is added or
//! changed. `sqlx::migrate!` embeds that folder at compile time, but a proc
//! macro cannot ask cargo to watch a directory, so without this a new
//! migration would not reach the binary until some Rust file changed too.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
