//! Who may do what, as one pure function over a role, the caller's outlet
//! and the outlet an action touches (`PROTOCOL.md` v2 "access", "Roles").
//!
//! Handlers name the [`Action`] and the outlet; they never look at roles
//! themselves, so the whole policy is this table and its tests.

use ticketrail_protocol::Role;

/// What a caller wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Download the menu (and an outlet's availability).
    ReadMenu,
    /// Create, update or delete menu rows.
    ManageMenu,
    /// Place an order at an outlet.
    PlaceOrder,
    /// Poll an outlet's order feed.
    ReadOrders,
    /// Move an outlet's order through the kitchen.
    ChangeOrderStatus,
    /// Open an outlet's socket.
    WatchOutlet,
    /// Read an outlet's settings (name, zone, currency, staff PIN hash).
    ReadOutlet,
    /// List, pair and revoke an outlet's devices.
    ManageDevices,
    /// Set an outlet's staff PIN.
    SetStaffPin,
    /// Create outlets and change their settings.
    ManageOutlets,
}

/// Whether `role`, bound to `own_outlet`, may do `action` on `outlet`
/// (`None`: an action that touches no one outlet).
pub fn allows(role: Role, own_outlet: Option<&str>, action: Action, outlet: Option<&str>) -> bool {
    if role == Role::Admin {
        return true;
    }
    let roles: &[Role] = match action {
        Action::ReadMenu => return true,
        Action::ManageMenu | Action::ManageOutlets => return false,
        Action::PlaceOrder => &[Role::Kiosk],
        Action::WatchOutlet | Action::ReadOutlet => &[Role::Kiosk, Role::Kitchen, Role::Manager],
        Action::ReadOrders | Action::ChangeOrderStatus => &[Role::Kitchen, Role::Manager],
        Action::ManageDevices | Action::SetStaffPin => &[Role::Manager],
    };
    roles.contains(&role) && outlet.is_some() && outlet == own_outlet
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: Option<&str> = Some("1");
    const OTHER: Option<&str> = Some("2");

    /// The contract's table: for each role, the actions it may take at its
    /// own outlet. Every other (role, action) pair is refused there, and
    /// every outlet-bound action is refused at another outlet.
    #[test]
    fn each_role_may_do_exactly_its_actions_and_only_at_its_outlet() {
        use Action::*;
        let all = [
            ReadMenu,
            ManageMenu,
            PlaceOrder,
            ReadOrders,
            ChangeOrderStatus,
            WatchOutlet,
            ReadOutlet,
            ManageDevices,
            SetStaffPin,
            ManageOutlets,
        ];
        let table: [(Role, &[Action]); 3] = [
            (
                Role::Kiosk,
                &[ReadMenu, PlaceOrder, WatchOutlet, ReadOutlet],
            ),
            (
                Role::Kitchen,
                &[
                    ReadMenu,
                    ReadOrders,
                    ChangeOrderStatus,
                    WatchOutlet,
                    ReadOutlet,
                ],
            ),
            (
                Role::Manager,
                &[
                    ReadMenu,
                    ReadOrders,
                    ChangeOrderStatus,
                    WatchOutlet,
                    ReadOutlet,
                    ManageDevices,
                    SetStaffPin,
                ],
            ),
        ];
        for (role, may) in table {
            for action in all {
                let scope = if action == ReadMenu { None } else { OWN };
                assert_eq!(
                    allows(role, OWN, action, scope),
                    may.contains(&action),
                    "{role:?} {action:?}"
                );
                if action != ReadMenu {
                    assert!(
                        !allows(role, OWN, action, OTHER),
                        "{role:?} {action:?} elsewhere"
                    );
                    assert!(
                        !allows(role, OWN, action, None),
                        "{role:?} {action:?} unscoped"
                    );
                }
            }
        }
        for action in all {
            assert!(allows(Role::Admin, None, action, OTHER));
            assert!(allows(Role::Admin, None, action, None));
        }
    }

    #[test]
    fn a_role_without_an_outlet_gets_nothing_outlet_bound() {
        assert!(!allows(Role::Kiosk, None, Action::PlaceOrder, None));
        assert!(!allows(Role::Manager, None, Action::ManageDevices, OWN));
    }
}
