use std::collections::{BTreeMap, BTreeSet, VecDeque};

use proptest::prelude::*;
use ticketrail_protocol::{OrderStatus, Timestamp};

use super::*;
use crate::tickets::merge_snapshot;

fn order(id: &str, seq: i64, status: OrderStatus) -> Order {
    let at = Timestamp::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    Order {
        id: id.to_owned(),
        client_order_id: format!("c-{id}"),
        order_number: id.to_uppercase(),
        outlet_id: "1".to_owned(),
        status,
        items: Vec::new(),
        total_amount: 1_000,
        currency: "IDR".to_owned(),
        seq,
        placed_at: at,
        created_at: at,
        updated_at: at,
    }
}

fn pending(id: &str, seq: i64) -> Order {
    order(id, seq, OrderStatus::Pending)
}

fn snapshot(id: &str, seq: i64) -> Input {
    Input::SocketMessage(Heard::Order(Box::new(pending(id, seq))))
}

/// A kitchen supervisor at time 0 whose socket has opened.
fn live(cursor: i64) -> Supervisor {
    let mut supervisor = Supervisor::new(0.0, Face::Kitchen, cursor);
    assert_eq!(
        supervisor.handle(0.0, Input::Tick, 0.0),
        [Action::OpenSocket { since_id: cursor }]
    );
    supervisor.handle(10.0, Input::SocketOpened, 0.0);
    supervisor
}

fn polls(actions: &[Action]) -> Vec<i64> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Poll { since_id, .. } => Some(*since_id),
            _ => None,
        })
        .collect()
}

/// Ticks at every wake-up from `from` up to `to` and returns what came out,
/// with the time.
fn run_until(supervisor: &mut Supervisor, to: f64) -> Vec<(f64, Action)> {
    let mut out = Vec::new();
    let mut now = f64::NEG_INFINITY;
    loop {
        let at = supervisor.wake_at(now);
        assert!(at > now, "time moves on: woke at {at} after {now}");
        now = at;
        if at > to {
            return out;
        }
        for action in supervisor.handle(at, Input::Tick, 0.0) {
            out.push((at, action));
        }
    }
}

#[test]
fn retry_delays_double_from_one_second_to_thirty_with_jitter() {
    let plain: Vec<f64> = (0..8).map(|n| retry_delay_ms(n, 0.0)).collect();
    assert_eq!(
        plain,
        [1_000.0, 2_000.0, 4_000.0, 8_000.0, 16_000.0, 30_000.0, 30_000.0, 30_000.0]
    );
    assert_eq!(retry_delay_ms(0, 1.0), 750.0);
    assert_eq!(retry_delay_ms(9, 0.5), 26_250.0);
    assert_eq!(retry_delay_ms(u32::MAX, 7.0), 22_500.0, "jitter is clamped");
}

#[test]
fn the_socket_opens_at_once_from_the_stored_cursor_and_shows_live() {
    let mut supervisor = Supervisor::new(0.0, Face::Kitchen, 41);
    assert_eq!(supervisor.connection(0.0), Connection::Connecting);
    assert_eq!(
        supervisor.handle(0.0, Input::Tick, 0.0),
        [Action::OpenSocket { since_id: 41 }]
    );
    supervisor.handle(30.0, Input::SocketOpened, 0.0);
    assert_eq!(supervisor.connection(30.0), Connection::Live);
    assert!(
        polls(
            &run_until(&mut supervisor, 20_000.0)
                .into_iter()
                .map(|(_, action)| action)
                .collect::<Vec<_>>()
        )
        .is_empty(),
        "no polling while the socket is fine"
    );
}

#[test]
fn a_socket_that_cannot_open_in_five_seconds_starts_polling_at_once() {
    let mut supervisor = Supervisor::new(0.0, Face::Kitchen, 7);
    supervisor.handle(0.0, Input::Tick, 0.0);
    assert_eq!(supervisor.wake_at(0.0), OPEN_TIMEOUT_MS);
    assert_eq!(
        supervisor.handle(5_000.0, Input::Tick, 0.0),
        [
            Action::CloseSocket,
            Action::Poll {
                poll: 1,
                since_id: 7
            }
        ]
    );
    let actions = supervisor.handle(
        5_040.0,
        Input::PollAnswered {
            poll: 1,
            orders: vec![pending("a", 9), pending("b", 8)],
        },
        0.0,
    );
    assert_eq!(
        actions,
        [Action::Apply(vec![pending("b", 8), pending("a", 9)])],
        "applied in seq order"
    );
    assert_eq!(
        supervisor.connection(5_040.0),
        Connection::Polling { heard_at: 5_040.0 }
    );
    assert_eq!(
        run_until(&mut supervisor, 8_000.0),
        [
            (6_000.0, Action::OpenSocket { since_id: 9 }),
            (
                8_000.0,
                Action::Poll {
                    poll: 2,
                    since_id: 9
                }
            )
        ],
        "the socket is retried after 1 s, the next poll is 3 s after the last one started"
    );
}

#[test]
fn a_refused_or_dropped_socket_polls_at_once_and_the_socket_stops_it() {
    let mut supervisor = Supervisor::new(0.0, Face::Kitchen, 0);
    supervisor.handle(0.0, Input::Tick, 0.0);
    let refused = supervisor.handle(20.0, Input::SocketClosed, 0.0);
    assert_eq!(polls(&refused), [0], "refused: the first poll goes at once");

    let mut supervisor = live(3);
    let dropped = supervisor.handle(1_000.0, Input::SocketClosed, 0.0);
    assert_eq!(polls(&dropped), [3], "dropped: the first poll goes at once");
    supervisor.handle(
        1_050.0,
        Input::PollAnswered {
            poll: 1,
            orders: Vec::new(),
        },
        0.0,
    );
    let retry = run_until(&mut supervisor, 2_000.0);
    assert_eq!(retry, [(2_000.0, Action::OpenSocket { since_id: 3 })]);
    supervisor.handle(2_100.0, Input::SocketOpened, 0.0);
    assert_eq!(supervisor.connection(2_100.0), Connection::Live);
    let after: Vec<Action> = run_until(&mut supervisor, 60_000.0)
        .into_iter()
        .map(|(_, action)| action)
        .collect();
    assert!(polls(&after).is_empty(), "polling stopped: {after:?}");
}

#[test]
fn a_poll_answer_after_the_socket_is_back_applies_only_what_is_new() {
    let mut supervisor = live(0);
    supervisor.handle(100.0, Input::SocketClosed, 0.0);
    supervisor.handle(1_100.0, Input::Tick, 0.0);
    supervisor.handle(1_200.0, Input::SocketOpened, 0.0);
    let caught_up = supervisor.handle(1_210.0, snapshot("a", 5), 0.0);
    assert_eq!(caught_up, [Action::Apply(vec![pending("a", 5)])]);
    let late = supervisor.handle(
        1_300.0,
        Input::PollAnswered {
            poll: 1,
            orders: vec![pending("a", 5), pending("b", 6)],
        },
        0.0,
    );
    assert_eq!(late, [Action::Apply(vec![pending("b", 6)])]);
    assert!(
        supervisor.handle(1_400.0, snapshot("b", 6), 0.0).is_empty(),
        "and the socket's copy of it is a duplicate"
    );
    assert_eq!(supervisor.cursor(), 6);
}

#[test]
fn a_slow_poll_times_out_and_the_next_one_goes() {
    let mut supervisor = live(0);
    supervisor.handle(0.0, Input::SocketClosed, 0.0);
    assert_eq!(
        supervisor.wake_at(0.0),
        FIRST_RETRY_MS,
        "the retry comes before the poll timeout"
    );
    supervisor.handle(1_000.0, Input::SocketClosed, 0.0);
    let timed_out = run_until(&mut supervisor, POLL_TIMEOUT_MS);
    assert!(timed_out.contains(&(
        POLL_TIMEOUT_MS,
        Action::Poll {
            poll: 2,
            since_id: 0
        }
    )));
    supervisor.handle(5_100.0, Input::PollFailed { poll: 1 }, 0.0);
    let after: Vec<Action> = run_until(&mut supervisor, 9_999.0)
        .into_iter()
        .map(|(_, action)| action)
        .collect();
    assert!(
        polls(&after).is_empty(),
        "a stale failure does not reschedule the poll in flight: {after:?}"
    );
}

#[test]
fn an_open_socket_pings_every_25_seconds_and_is_replaced_after_60_silent() {
    let mut supervisor = live(0);
    let actions = run_until(&mut supervisor, 59_999.0);
    assert_eq!(
        actions,
        [(25_010.0, Action::Ping), (50_010.0, Action::Ping)]
    );
    let dead = supervisor.handle(60_010.0, Input::Tick, 0.0);
    assert_eq!(
        dead,
        [
            Action::CloseSocket,
            Action::Poll {
                poll: 1,
                since_id: 0
            }
        ]
    );
    supervisor.handle(59_000.0, Input::SocketMessage(Heard::Other), 0.0);
    assert_ne!(
        supervisor.connection(60_100.0),
        Connection::Live,
        "a message on a socket already given up changes nothing"
    );
}

#[test]
fn messages_keep_an_open_socket_alive() {
    let mut supervisor = live(0);
    supervisor.handle(50_000.0, Input::SocketMessage(Heard::Other), 0.0);
    let actions = run_until(&mut supervisor, 109_999.0);
    assert!(actions.iter().all(|(_, action)| *action == Action::Ping));
    assert_eq!(
        supervisor.handle(110_000.0, Input::Tick, 0.0)[0],
        Action::CloseSocket
    );
}

#[test]
fn ten_seconds_without_contact_is_offline() {
    let mut supervisor = live(0);
    supervisor.handle(2_000.0, Input::SocketClosed, 0.0);
    assert_eq!(
        supervisor.connection(10_009.0),
        Connection::Polling { heard_at: 10.0 },
        "polling, last heard when the socket was last open"
    );
    supervisor.handle(3_000.0, Input::PollFailed { poll: 1 }, 0.0);
    assert_eq!(
        supervisor.connection(10_010.0),
        Connection::Offline {
            heard_at: Some(10.0)
        }
    );
    assert!(
        supervisor.wake_at(3_000.0) <= 10_010.0,
        "the timer fires for the change"
    );

    let never = Supervisor::new(0.0, Face::Kiosk, 0);
    assert_eq!(never.connection(9_999.0), Connection::Connecting);
    assert_eq!(
        never.connection(10_000.0),
        Connection::Offline { heard_at: None }
    );
}

#[test]
fn a_hidden_kiosk_stops_polling_and_a_kitchen_does_not() {
    for (face, polls_while_hidden) in [(Face::Kiosk, false), (Face::Kitchen, true)] {
        let mut supervisor = Supervisor::new(0.0, face, 0);
        supervisor.handle(0.0, Input::Tick, 0.0);
        supervisor.handle(0.0, Input::Visible(false), 0.0);
        let first = supervisor.handle(10.0, Input::SocketClosed, 0.0);
        assert_eq!(!polls(&first).is_empty(), polls_while_hidden, "{face:?}");
        let later: Vec<Action> = run_until(&mut supervisor, 20_000.0)
            .into_iter()
            .map(|(_, action)| action)
            .collect();
        assert_eq!(!polls(&later).is_empty(), polls_while_hidden, "{face:?}");
    }
}

#[test]
fn showing_the_page_or_regaining_the_network_retries_at_once() {
    for wake in [Input::Visible(true), Input::Online] {
        let mut supervisor = Supervisor::new(0.0, Face::Kiosk, 0);
        supervisor.handle(0.0, Input::Tick, 0.0);
        supervisor.handle(0.0, Input::Visible(false), 0.0);
        // Fail every attempt until the backoff is long.
        let mut now = 0.0;
        while supervisor.wake_at(now) - now < 15_000.0 {
            now = supervisor.wake_at(now);
            if supervisor
                .handle(now, Input::Tick, 0.0)
                .contains(&Action::OpenSocket { since_id: 0 })
            {
                supervisor.handle(now, Input::SocketClosed, 0.0);
            }
        }
        let long_wait = supervisor.wake_at(now);
        now += 1.0;
        assert!(long_wait > now + 10_000.0, "waiting out a long backoff");
        let actions = supervisor.handle(now, wake.clone(), 0.0);
        assert!(
            actions.contains(&Action::OpenSocket { since_id: 0 }),
            "{wake:?}: {actions:?}"
        );
        supervisor.handle(now + 500.0, Input::SocketClosed, 0.0);
        assert_eq!(
            supervisor.wake_at(now + 500.0),
            now + 1_500.0,
            "{wake:?}: fresh backoff, 1 s"
        );
    }
}

#[test]
fn a_server_that_started_over_resets_the_screen_and_catches_up_from_zero() {
    let mut supervisor = live(120);
    let actions = supervisor.handle(
        100.0,
        Input::SocketMessage(Heard::Connected { seq: 4 }),
        0.0,
    );
    assert_eq!(
        actions,
        [
            Action::Reset,
            Action::CloseSocket,
            Action::OpenSocket { since_id: 0 }
        ]
    );
    assert_eq!(supervisor.cursor(), 0);
    let mut same = live(120);
    assert!(same
        .handle(
            100.0,
            Input::SocketMessage(Heard::Connected { seq: 120 }),
            0.0
        )
        .is_empty());
}

/// The outlet server of the simulation: every order's latest snapshot.
#[derive(Default)]
struct SimServer {
    seq: i64,
    orders: BTreeMap<String, Order>,
}

impl SimServer {
    fn change(&mut self, pick: usize) -> Order {
        self.seq += 1;
        let next = |status| match status {
            OrderStatus::Pending => OrderStatus::Preparing,
            OrderStatus::Preparing => OrderStatus::Ready,
            _ => OrderStatus::Completed,
        };
        let open: Vec<String> = self
            .orders
            .values()
            .filter(|order| !order.status.is_closed())
            .map(|order| order.id.clone())
            .collect();
        let snapshot = match open.get(pick % (open.len() + 1)) {
            Some(id) => {
                let held = &self.orders[id];
                order(id, self.seq, next(held.status))
            }
            None => pending(&format!("o{}", self.seq), self.seq),
        };
        self.orders.insert(snapshot.id.clone(), snapshot.clone());
        snapshot
    }

    fn since(&self, since: i64) -> Vec<Order> {
        let mut out: Vec<Order> = self
            .orders
            .values()
            .filter(|order| order.seq > since)
            .cloned()
            .collect();
        out.sort_by_key(|order| order.seq);
        out
    }
}

enum SimSocket {
    Opening { since: i64 },
    Open { queue: VecDeque<Heard> },
}

/// One screen with its network, driven by [`Step`]s.
struct Sim {
    server: SimServer,
    supervisor: Supervisor,
    now: f64,
    socket: Option<SimSocket>,
    /// Polls sent and not answered: id, since_id.
    polls: Vec<(u64, i64)>,
    shown: BTreeMap<String, Order>,
    applied: BTreeSet<(String, i64)>,
}

#[derive(Debug, Clone)]
enum Step {
    ServerChange(usize),
    SocketOpens,
    SocketFails,
    Deliver(usize),
    DeliverTwice,
    AnswerPoll(usize),
    FailPoll(usize),
    Wait(f64),
    Online,
    Visible(bool),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => any::<usize>().prop_map(Step::ServerChange),
        2 => Just(Step::SocketOpens),
        2 => Just(Step::SocketFails),
        4 => (1..5usize).prop_map(Step::Deliver),
        1 => Just(Step::DeliverTwice),
        2 => any::<usize>().prop_map(Step::AnswerPoll),
        1 => any::<usize>().prop_map(Step::FailPoll),
        3 => (0.0..8_000.0f64).prop_map(Step::Wait),
        1 => Just(Step::Online),
        1 => any::<bool>().prop_map(Step::Visible),
    ]
}

impl Sim {
    fn new() -> Self {
        let mut sim = Self {
            server: SimServer::default(),
            supervisor: Supervisor::new(0.0, Face::Kitchen, 0),
            now: 0.0,
            socket: None,
            polls: Vec::new(),
            shown: BTreeMap::new(),
            applied: BTreeSet::new(),
        };
        sim.feed(Input::Tick);
        sim
    }

    fn feed(&mut self, input: Input) {
        let actions = self.supervisor.handle(self.now, input, 0.5);
        for action in actions {
            match action {
                Action::OpenSocket { since_id } => {
                    self.socket = Some(SimSocket::Opening { since: since_id });
                }
                Action::CloseSocket => self.socket = None,
                Action::Ping => {
                    if let Some(SimSocket::Open { queue }) = &mut self.socket {
                        queue.push_back(Heard::Other);
                    }
                }
                Action::Poll { poll, since_id } => self.polls.push((poll, since_id)),
                Action::Reset => panic!("the simulated server never starts over"),
                Action::Apply(orders) => {
                    let mut last = 0;
                    for order in orders {
                        assert!(order.seq > last, "a batch is applied in seq order");
                        last = order.seq;
                        assert!(
                            self.applied.insert((order.id.clone(), order.seq)),
                            "applied twice: {} at seq {}",
                            order.id,
                            order.seq
                        );
                        merge_snapshot(&mut self.shown, &order);
                    }
                }
            }
        }
    }

    fn run(&mut self, step: Step) {
        match step {
            Step::ServerChange(pick) => {
                let snapshot = self.server.change(pick);
                if let Some(SimSocket::Open { queue }) = &mut self.socket {
                    queue.push_back(Heard::Order(Box::new(snapshot)));
                }
            }
            Step::SocketOpens => self.open_socket(),
            Step::SocketFails => {
                if self.socket.take().is_some() {
                    self.feed(Input::SocketClosed);
                }
            }
            Step::Deliver(count) => {
                for _ in 0..count {
                    let Some(SimSocket::Open { queue }) = &mut self.socket else {
                        return;
                    };
                    let Some(heard) = queue.pop_front() else {
                        return;
                    };
                    self.feed(Input::SocketMessage(heard));
                }
            }
            Step::DeliverTwice => {
                if let Some(SimSocket::Open { queue }) = &self.socket {
                    if let Some(heard) = queue.front().cloned() {
                        self.feed(Input::SocketMessage(heard));
                    }
                }
            }
            Step::AnswerPoll(pick) => {
                if !self.polls.is_empty() {
                    let (poll, since) = self.polls.remove(pick % self.polls.len());
                    let orders = self.server.since(since);
                    self.feed(Input::PollAnswered { poll, orders });
                }
            }
            Step::FailPoll(pick) => {
                if !self.polls.is_empty() {
                    let (poll, _) = self.polls.remove(pick % self.polls.len());
                    self.feed(Input::PollFailed { poll });
                }
            }
            Step::Wait(ms) => {
                self.now += ms;
                self.feed(Input::Tick);
            }
            Step::Online => self.feed(Input::Online),
            Step::Visible(visible) => self.feed(Input::Visible(visible)),
        }
    }

    fn open_socket(&mut self) {
        if let Some(SimSocket::Opening { since }) = self.socket {
            let mut queue = VecDeque::from([Heard::Connected {
                seq: self.server.seq,
            }]);
            queue.extend(
                self.server
                    .since(since)
                    .into_iter()
                    .map(|order| Heard::Order(Box::new(order))),
            );
            self.socket = Some(SimSocket::Open { queue });
            self.feed(Input::SocketOpened);
        }
    }

    /// The network heals: answer every poll, let the socket open and
    /// deliver everything.
    fn settle(&mut self) {
        for _ in 0..100 {
            while !self.polls.is_empty() {
                self.run(Step::AnswerPoll(0));
            }
            match &self.socket {
                Some(SimSocket::Open { queue }) if queue.is_empty() => return,
                Some(SimSocket::Open { .. }) => self.run(Step::Deliver(usize::MAX)),
                Some(SimSocket::Opening { .. }) => self.open_socket(),
                None => {
                    self.now = self.supervisor.wake_at(self.now).max(self.now);
                    self.feed(Input::Tick);
                }
            }
        }
        panic!("the feed never settled");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Whatever the socket and the polls do (drops, refusals, slow and
    /// failed polls, duplicates, late answers), once the network heals the
    /// screen shows exactly the server's orders, and no snapshot was ever
    /// applied twice.
    #[test]
    fn any_interleaving_ends_with_the_servers_tickets(steps in prop::collection::vec(step(), 0..120)) {
        let mut sim = Sim::new();
        for step in steps {
            sim.run(step);
        }
        sim.settle();
        prop_assert_eq!(&sim.shown, &sim.server.orders);
        prop_assert_eq!(sim.supervisor.cursor(), sim.server.seq);
        prop_assert_eq!(sim.supervisor.connection(sim.now), Connection::Live);
    }
}

#[test]
fn the_server_is_in_contact_live_or_polling() {
    assert!(Connection::Live.in_contact());
    assert!(Connection::Polling { heard_at: 0.0 }.in_contact());
    assert!(!Connection::Connecting.in_contact());
    assert!(!Connection::Offline {
        heard_at: Some(0.0)
    }
    .in_contact());
}

#[test]
fn the_server_is_answering_while_the_socket_is_open_or_the_last_poll_was_answered() {
    let mut supervisor = Supervisor::new(0.0, Face::Kiosk, 0);
    supervisor.handle(0.0, Input::Tick, 0.0);
    assert!(!supervisor.answering(), "nothing heard yet");
    supervisor.handle(10.0, Input::SocketOpened, 0.0);
    assert!(supervisor.answering());

    let actions = supervisor.handle(20.0, Input::SocketClosed, 0.0);
    assert_eq!(polls(&actions), [0], "polling starts at once");
    assert!(
        !supervisor.answering(),
        "the socket dropped and no poll answered yet"
    );
    assert!(
        supervisor.connection(20.0).in_contact(),
        "while the indicator keeps its grace"
    );
    supervisor.handle(
        30.0,
        Input::PollAnswered {
            poll: 1,
            orders: Vec::new(),
        },
        0.0,
    );
    assert!(supervisor.answering());

    let next = run_until(&mut supervisor, 3_020.0);
    assert!(next
        .iter()
        .any(|(_, action)| matches!(action, Action::Poll { poll: 2, .. })));
    supervisor.handle(3_030.0, Input::PollFailed { poll: 2 }, 0.0);
    assert!(!supervisor.answering(), "the last poll failed");
    assert!(supervisor.connection(3_030.0).in_contact());

    supervisor.handle(
        6_030.0,
        Input::PollAnswered {
            poll: 3,
            orders: Vec::new(),
        },
        0.0,
    );
    assert!(supervisor.answering());
    // That answer's handling sent the next poll, due since 6,020; it hangs.
    run_until(&mut supervisor, 6_030.0 + POLL_TIMEOUT_MS - 1.0);
    assert!(
        supervisor.answering(),
        "a poll on its way changes nothing yet"
    );
    run_until(&mut supervisor, 6_030.0 + POLL_TIMEOUT_MS);
    assert!(!supervisor.answering(), "a poll that hung counts as failed");
}
