//! Entry point Trunk builds for the browser: everything lives in the library.

fn main() {
    ticketrail_app::start();
}
