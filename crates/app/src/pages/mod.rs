//! One module per page of the app; each page is a thin component over the
//! shared chrome in [`crate::components`].

mod kiosk;
mod kitchen;
mod not_found;
mod pair;
mod setup;

pub use kiosk::KioskPage;
pub use kitchen::KitchenPage;
pub use not_found::NotFoundPage;
pub use pair::{PairPage, UnpairedNotice};
pub use setup::SetupPage;
