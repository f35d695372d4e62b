use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use ticketrail_protocol::{OrderItemRequest, Timestamp};

use super::*;

fn order_write(key: &str) -> Write {
    Write::PlaceOrder {
        order: PlaceOrder {
            client_order_id: key.to_owned(),
            outlet_id: "1".to_owned(),
            items: vec![OrderItemRequest {
                product_id: "p-1".to_owned(),
                quantity: 1,
                notes: None,
            }],
            master_version: Some(3),
            placed_at: Timestamp::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
        },
        shown_total: 9_000,
        local_number: "K-1".to_owned(),
    }
}

fn answer(status: u16) -> Sent {
    Sent::Answer {
        status,
        code: (status >= 400).then(|| "unknown_product".to_owned()),
        message: (status >= 400).then(|| "Es Teh is no longer on the menu".to_owned()),
    }
}

fn leased(next: Next) -> Entry {
    match next {
        Next::Send(entry) => *entry,
        other => panic!("expected a lease, got {other:?}"),
    }
}

#[test]
fn statuses_are_delivered_retried_or_rejected() {
    for status in [200, 201, 204] {
        assert_eq!(classify(status), Class::Delivered, "{status}");
    }
    for status in [408, 429, 500, 502, 503, 504, 302, 0] {
        assert_eq!(classify(status), Class::Retry, "{status}");
    }
    for status in [401, 403] {
        assert_eq!(classify(status), Class::Hold, "{status}");
    }
    for status in [400, 404, 409, 413, 422] {
        assert_eq!(classify(status), Class::Reject, "{status}");
    }
}

#[test]
fn a_refused_credential_holds_the_entry_in_its_place_until_the_screen_is_paired_again() {
    let first = leased(lease(&[queued(1, order_write("a"), 0.0)], "w1", 0.0));
    let refused = Sent::Answer {
        status: 401,
        code: Some("unauthorized".into()),
        message: Some("pair this screen".into()),
    };
    let Settle::Store(held) = settle(Some(&first), "w1", &refused, 100.0, 0.0) else {
        panic!("a held entry is kept");
    };
    assert_eq!(held.attempts, 0, "the credential's fault, not the write's");
    assert!(
        matches!(&held.state, State::Pending { not_before, last_error: Some(error) }
            if *not_before == 100.0 + HOLD_MS && error.contains("401")),
        "{:?}",
        held.state
    );
    let behind = queued(2, order_write("b"), 0.0);
    let entries = [(*held).clone(), behind];
    assert_eq!(
        lease(&entries, "w1", 200.0),
        Next::WaitUntil(100.0 + HOLD_MS),
        "nothing behind it overtakes it"
    );
    // Paired again: "send now" makes it due, with the same key.
    let due = retry_now(&held, 300.0).expect("a held entry can be sent now");
    let again = leased(lease(&[due], "w1", 300.0));
    assert_eq!(again.write.key(), "a");
    assert_eq!(
        settle(Some(&again), "w1", &answer(201), 400.0, 0.0),
        Settle::Delete
    );
}

#[test]
fn retries_back_off_from_one_second_to_a_minute() {
    let plain: Vec<f64> = (1..=8).map(|n| retry_delay_ms(n, 0.0)).collect();
    assert_eq!(
        plain,
        [1_000.0, 2_000.0, 4_000.0, 8_000.0, 16_000.0, 32_000.0, 60_000.0, 60_000.0]
    );
    assert_eq!(retry_delay_ms(1, 1.0), 750.0);
    assert_eq!(retry_delay_ms(u32::MAX, 9.0), 45_000.0, "jitter is clamped");
}

#[test]
fn only_the_head_is_sent_and_only_by_one_holder_at_a_time() {
    let entries = vec![
        queued(2, order_write("b"), 0.0),
        queued(1, order_write("a"), 0.0),
    ];
    let first = leased(lease(&entries, "w1", 10.0));
    assert_eq!((first.seq, first.attempts), (1, 1), "the oldest goes first");
    let entries = vec![first.clone(), entries[0].clone()];
    assert_eq!(
        lease(&entries, "w2", 20.0),
        Next::WaitUntil(10.0 + LEASE_MS),
        "a second trigger waits, and does not skip ahead to the next entry"
    );
    let taken_over = leased(lease(&entries, "w2", 10.0 + LEASE_MS));
    assert_eq!(
        (taken_over.seq, taken_over.attempts),
        (1, 2),
        "a lapsed lease (its sender died) is taken over"
    );
    assert_eq!(lease(&[], "w1", 0.0), Next::Idle);
}

#[test]
fn the_entries_after_the_head_are_leased_ahead_in_order_and_given_back_unused() {
    let rejected = Entry {
        state: State::Rejected {
            status: 422,
            code: "unknown_product".to_owned(),
            message: String::new(),
        },
        ..queued(2, order_write("b"), 0.0)
    };
    let head = leased(lease(&[queued(1, order_write("a"), 0.0)], "w1", 10.0));
    let entries = vec![
        head.clone(),
        rejected,
        queued(3, order_write("c"), 0.0),
        queued(4, order_write("d"), 0.0),
        queued(5, order_write("e"), 0.0),
    ];
    let run = lease_after(&entries, "w1", 10.0, head.seq, 2);
    let taken: Vec<(u64, u32)> = run
        .iter()
        .map(|entry| (entry.seq, entry.attempts))
        .collect();
    assert_eq!(
        taken,
        [(3, 1), (4, 1)],
        "a rejected entry is skipped, and no more than asked are taken"
    );
    let ahead = run[0].clone();
    assert!(may_send(&ahead, "w1", 10.0));
    assert!(
        may_send(&ahead, "w1", 10.0 + LEASE_MS - SEND_TIMEOUT_MS),
        "a send started now ends before the lease lapses"
    );
    assert!(
        !may_send(&ahead, "w1", 11.0 + LEASE_MS - SEND_TIMEOUT_MS),
        "one that might outlive the lease needs a fresh lease"
    );
    assert!(!may_send(&ahead, "w2", 10.0), "not w2's lease");
    assert!(!may_send(&head, "w1", LEASE_MS), "a lapsed lease");

    let taken = vec![head.clone(), ahead.clone()];
    assert_eq!(
        lease_after(&taken, "w2", 20.0, head.seq, AHEAD),
        [],
        "held by w1"
    );
    let backed_off = Entry {
        state: State::Pending {
            not_before: 500.0,
            last_error: None,
        },
        ..ahead.clone()
    };
    let after_it = queued(4, order_write("d"), 0.0);
    assert_eq!(
        lease_after(&[head.clone(), backed_off, after_it], "w1", 20.0, 1, AHEAD),
        [],
        "the run stops at the first entry it cannot take: none after it go first"
    );
    assert_eq!(
        lease_after(std::slice::from_ref(&head), "w1", 20.0, 1, AHEAD),
        []
    );

    assert_eq!(
        release(&ahead, "w2", 30.0),
        None,
        "only its holder gives it back"
    );
    let released = release(&ahead, "w1", 30.0).expect("released");
    assert_eq!(released.attempts, 0, "the unmade attempt is not counted");
    assert_eq!(
        lease(&[released], "w2", 30.0),
        Next::Send(Box::new(Entry {
            attempts: 1,
            state: State::Leased {
                holder: "w2".to_owned(),
                until: 30.0 + LEASE_MS,
            },
            ..queued(3, order_write("c"), 0.0)
        })),
        "the next sender takes it at once"
    );
}

#[test]
fn an_ack_deletes_and_a_late_duplicate_changes_nothing() {
    let entry = leased(lease(&[queued(1, order_write("a"), 0.0)], "w1", 0.0));
    assert_eq!(
        settle(Some(&entry), "w1", &answer(201), 50.0, 0.0),
        Settle::Delete
    );
    assert_eq!(
        settle(None, "w1", &answer(200), 60.0, 0.0),
        Settle::Ignore,
        "already deleted"
    );
    let taken_over = leased(lease(std::slice::from_ref(&entry), "w2", LEASE_MS + 1.0));
    assert_eq!(
        settle(Some(&taken_over), "w1", &answer(201), LEASE_MS + 2.0, 0.0),
        Settle::Ignore,
        "the old holder's answer does not settle the new holder's send"
    );
}

#[test]
fn failures_back_off_and_refusals_leave_the_queue() {
    let entry = leased(lease(&[queued(1, order_write("a"), 0.0)], "w1", 0.0));
    let Settle::Store(retry) = settle(
        Some(&entry),
        "w1",
        &Sent::NoAnswer("timed out".into()),
        100.0,
        0.0,
    ) else {
        panic!("a timeout is kept");
    };
    assert_eq!(
        retry.state,
        State::Pending {
            not_before: 1_100.0,
            last_error: Some("timed out".into())
        }
    );
    let again = leased(lease(std::slice::from_ref(&*retry), "w1", 1_100.0));
    let Settle::Store(busy) = settle(Some(&again), "w1", &answer(503), 1_200.0, 0.0) else {
        panic!("a 503 is kept");
    };
    assert!(
        matches!(busy.state, State::Pending { not_before, .. } if not_before == 3_200.0),
        "second failure: 2 s"
    );

    let third = leased(lease(&[*busy], "w1", 3_200.0));
    let Settle::Store(rejected) = settle(Some(&third), "w1", &answer(422), 3_300.0, 0.0) else {
        panic!("a refusal is kept for a person");
    };
    assert_eq!(
        rejected.state,
        State::Rejected {
            status: 422,
            code: "unknown_product".into(),
            message: "Es Teh is no longer on the menu".into()
        }
    );
    let next = queued(2, order_write("b"), 0.0);
    assert_eq!(
        leased(lease(&[(*rejected).clone(), next], "w1", 3_400.0)).seq,
        2,
        "the queue goes on without it"
    );
    let back = retry_now(&rejected, 4_000.0).expect("a rejected entry can be retried");
    assert!(matches!(back.state, State::Pending { not_before, .. } if not_before == 4_000.0));
    assert_eq!(
        retry_now(&third, 4_000.0),
        None,
        "one being sent is left alone"
    );
}

#[test]
fn the_summary_counts_pending_and_rejected() {
    let mut rejected = queued(1, order_write("a"), 0.0);
    rejected.state = State::Rejected {
        status: 422,
        code: "x".into(),
        message: String::new(),
    };
    let entries = [
        rejected,
        queued(2, order_write("b"), 1_000.0),
        queued(3, order_write("c"), 4_000.0),
    ];
    assert_eq!(
        summary(&entries, 10_000.0),
        Summary {
            pending: 2,
            oldest_ms: Some(9_000.0),
            rejected: 1
        }
    );
    assert_eq!(
        summary(&[], 0.0),
        Summary {
            pending: 0,
            oldest_ms: None,
            rejected: 0
        }
    );
}

#[test]
fn records_round_trip_through_json() {
    let entry = queued(
        7,
        Write::change_status("o-1", "042", OrderStatus::Ready, "r-1".into()),
        5.0,
    );
    let json = serde_json::to_string(&entry).unwrap();
    assert_eq!(serde_json::from_str::<Entry>(&json).unwrap(), entry);
    assert_eq!(entry.write.key(), "r-1");
}

/// The outlet server of the simulation: idempotent on the key, down at
/// times, refusing the writes marked bad.
#[derive(Default)]
struct SimServer {
    down: bool,
    /// Keys in the order their writes took effect.
    applied: Vec<String>,
}

impl SimServer {
    fn receive(&mut self, key: &str, bad: bool) -> Sent {
        if self.down {
            return Sent::NoAnswer("connection refused".into());
        }
        if bad {
            return answer(422);
        }
        if self.applied.iter().any(|applied| applied == key) {
            return answer(200);
        }
        self.applied.push(key.to_owned());
        answer(201)
    }
}

/// A send on its way: the server may or may not have seen it yet.
struct InFlight {
    holder: String,
    seq: u64,
    key: String,
    answer: Option<Sent>,
    /// The sender stopped waiting; the request may still reach the server.
    given_up: bool,
    /// When it was sent; a real sender abandons it [`SEND_TIMEOUT_MS`]
    /// later.
    started: f64,
    /// The entries after it, leased by the same sender to send each as
    /// soon as the one before it is delivered.
    ahead: Vec<Entry>,
    /// The sender's earlier sends in this run: delivered, not settled yet.
    delivered: Vec<(u64, Sent)>,
}

#[derive(Debug, Clone)]
enum Step {
    Enqueue {
        bad: bool,
    },
    Trigger,
    Reach(usize),
    /// The answer reaches its sender; with `true`, a sender that starts
    /// the entry leased ahead dies before it settles this one (and the
    /// deliveries before it in the run).
    Answer(usize, bool),
    TimeOut(usize),
    Crash(usize),
    RepeatAnswer,
    Down(bool),
    Wait(f64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => prop::bool::weighted(0.15).prop_map(|bad| Step::Enqueue { bad }),
        4 => Just(Step::Trigger),
        3 => any::<usize>().prop_map(Step::Reach),
        3 => (any::<usize>(), prop::bool::weighted(0.1)).prop_map(|(index, dies)| Step::Answer(index, dies)),
        1 => any::<usize>().prop_map(Step::TimeOut),
        1 => any::<usize>().prop_map(Step::Crash),
        1 => Just(Step::RepeatAnswer),
        1 => any::<bool>().prop_map(Step::Down),
        2 => (0.0..90_000.0f64).prop_map(Step::Wait),
    ]
}

/// A device's outbox (the store), its senders and the server.
#[derive(Default)]
struct Sim {
    now: f64,
    store: BTreeMap<u64, Entry>,
    next_seq: u64,
    bad: BTreeSet<String>,
    queued_keys: Vec<String>,
    flights: Vec<InFlight>,
    holders: u64,
    server: SimServer,
    last_answer: Option<(String, u64, Sent)>,
}

impl Sim {
    fn entries(&self) -> Vec<Entry> {
        self.store.values().cloned().collect()
    }

    fn trigger(&mut self) {
        self.holders += 1;
        let holder = format!("w{}", self.holders);
        if let Next::Send(entry) = lease(&self.entries(), &holder, self.now) {
            self.store.insert(entry.seq, (*entry).clone());
            self.start(holder, *entry, Vec::new(), Vec::new());
        }
    }

    /// `holder` starts sending `entry`, leased to it, with `ahead` still
    /// leased after it and `delivered` not yet settled. As the drain does,
    /// once nothing is left ahead it settles the deliveries and leases the
    /// entries after this one, while this one is on its way.
    fn start(
        &mut self,
        holder: String,
        entry: Entry,
        mut ahead: Vec<Entry>,
        mut delivered: Vec<(u64, Sent)>,
    ) {
        let now = self.now;
        assert!(
            !self.flights.iter().any(|flight| flight.seq == entry.seq
                && !flight.given_up
                && now < flight.started + SEND_TIMEOUT_MS),
            "entry {} is sent twice at the same time",
            entry.seq
        );
        if ahead.is_empty() {
            for (seq, result) in std::mem::take(&mut delivered) {
                self.finish(&holder, seq, &result);
            }
            ahead = lease_after(&self.entries(), &holder, now, entry.seq, AHEAD);
            for leased in &ahead {
                self.store.insert(leased.seq, leased.clone());
            }
        }
        assert!(
            may_send(&entry, &holder, now),
            "entry {} is sent on a lease that may lapse first",
            entry.seq
        );
        self.flights.push(InFlight {
            holder,
            seq: entry.seq,
            key: entry.write.key().to_owned(),
            answer: None,
            given_up: false,
            started: now,
            ahead,
            delivered,
        });
    }

    /// The sender of `flight` got `result`: as the drain does, it starts
    /// the next entry leased ahead when this one was delivered, or settles
    /// the run and gives the leases ahead back.
    fn answered(&mut self, flight: InFlight, result: Sent, dies: bool) {
        let delivered =
            matches!(&result, Sent::Answer { status, .. } if classify(*status) == Class::Delivered);
        let go_on = delivered
            && flight
                .ahead
                .first()
                .is_some_and(|next| may_send(next, &flight.holder, self.now));
        self.last_answer = Some((flight.holder.clone(), flight.seq, result.clone()));
        let InFlight {
            holder,
            seq,
            mut ahead,
            mut delivered,
            ..
        } = flight;
        if go_on {
            let next = ahead.remove(0);
            if dies {
                // The next request is on the wire; nothing was settled.
                self.flights.push(InFlight {
                    holder,
                    seq: next.seq,
                    key: next.write.key().to_owned(),
                    answer: None,
                    given_up: true,
                    started: self.now,
                    ahead: Vec::new(),
                    delivered: Vec::new(),
                });
                return;
            }
            delivered.push((seq, result));
            self.start(holder, next, ahead, delivered);
        } else {
            delivered.push((seq, result));
            self.settle_run(&holder, delivered, &ahead);
        }
    }

    /// `holder` settles the sends of its run, in order, and gives back the
    /// leases ahead it did not use.
    fn settle_run(&mut self, holder: &str, sends: Vec<(u64, Sent)>, ahead: &[Entry]) {
        for (seq, result) in sends {
            self.finish(holder, seq, &result);
        }
        self.give_back(holder, ahead);
    }

    fn finish(&mut self, holder: &str, seq: u64, result: &Sent) {
        match settle(self.store.get(&seq), holder, result, self.now, 0.5) {
            Settle::Delete => {
                self.store.remove(&seq);
            }
            Settle::Store(entry) => {
                self.store.insert(seq, *entry);
            }
            Settle::Ignore => {}
        }
    }

    /// `holder` gives back its leases ahead, unused.
    fn give_back(&mut self, holder: &str, ahead: &[Entry]) {
        for ahead in ahead {
            let released = self
                .store
                .get(&ahead.seq)
                .and_then(|stored| release(stored, holder, self.now));
            if let Some(released) = released {
                self.store.insert(released.seq, released);
            }
        }
    }

    fn pick(&self, index: usize) -> Option<usize> {
        (!self.flights.is_empty()).then(|| index % self.flights.len())
    }

    fn run(&mut self, step: Step) {
        match step {
            Step::Enqueue { bad } => {
                self.next_seq += 1;
                let key = format!("k{}", self.next_seq);
                if bad {
                    self.bad.insert(key.clone());
                }
                self.queued_keys.push(key.clone());
                let entry = queued(self.next_seq, order_write(&key), self.now);
                self.store.insert(self.next_seq, entry);
            }
            Step::Trigger => self.trigger(),
            Step::Reach(index) => {
                if let Some(index) = self.pick(index) {
                    let flight = &mut self.flights[index];
                    if flight.answer.is_none() {
                        let bad = self.bad.contains(&flight.key);
                        flight.answer = Some(self.server.receive(&flight.key, bad));
                    }
                }
            }
            Step::Answer(index, dies) => {
                if let Some(index) = self.pick(index) {
                    // A given-up sender no longer listens.
                    if self.flights[index].answer.is_some() && !self.flights[index].given_up {
                        let mut flight = self.flights.remove(index);
                        let result = flight
                            .answer
                            .take()
                            .unwrap_or(Sent::NoAnswer(String::new()));
                        self.answered(flight, result, dies);
                    }
                }
            }
            Step::TimeOut(index) => {
                // Reached or not, the sender gives up waiting; the request
                // may still reach the server later.
                if let Some(index) = self.pick(index) {
                    let flight = &mut self.flights[index];
                    let (holder, seq) = (flight.holder.clone(), flight.seq);
                    let ahead = std::mem::take(&mut flight.ahead);
                    let mut sends = std::mem::take(&mut flight.delivered);
                    flight.given_up = true;
                    sends.push((seq, Sent::NoAnswer("timeout".into())));
                    self.settle_run(&holder, sends, &ahead);
                }
            }
            Step::Crash(index) => {
                if let Some(index) = self.pick(index) {
                    self.flights.remove(index);
                }
            }
            Step::RepeatAnswer => {
                if let Some((holder, seq, result)) = self.last_answer.clone() {
                    self.finish(&holder, seq, &result);
                }
            }
            Step::Down(down) => self.server.down = down,
            Step::Wait(ms) => self.now += ms,
        }
    }

    /// The server comes back and triggers run until the queue is idle.
    fn drain(&mut self) {
        self.server.down = false;
        // Stragglers reach the server late (their senders are gone).
        for flight in std::mem::take(&mut self.flights) {
            let bad = self.bad.contains(&flight.key);
            self.server.receive(&flight.key, bad);
        }
        for _ in 0..10_000 {
            match lease(&self.entries(), "drain", self.now) {
                Next::Idle => return,
                Next::WaitUntil(at) => self.now = at,
                Next::Send(entry) => {
                    let key = entry.write.key().to_owned();
                    let seq = entry.seq;
                    self.store.insert(seq, *entry);
                    let bad = self.bad.contains(&key);
                    let result = self.server.receive(&key, bad);
                    self.finish("drain", seq, &result);
                }
            }
        }
        panic!("the outbox never drained");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Whatever happens (senders racing, answers lost, repeated or late,
    /// senders dying mid-send, the server down), every good write takes
    /// effect exactly once and in the order it was queued, every refused
    /// one is kept as rejected, and nothing else is left.
    #[test]
    fn every_write_lands_exactly_once_in_order(steps in prop::collection::vec(step(), 0..150)) {
        let mut sim = Sim::default();
        for step in steps {
            sim.run(step);
        }
        sim.drain();
        let good: Vec<String> = sim
            .queued_keys
            .iter()
            .filter(|key| !sim.bad.contains(*key))
            .cloned()
            .collect();
        prop_assert_eq!(&sim.server.applied, &good);
        for entry in sim.store.values() {
            prop_assert!(
                matches!(entry.state, State::Rejected { .. }),
                "only rejected entries stay: {:?}",
                entry
            );
        }
        prop_assert_eq!(sim.store.len(), sim.bad.len());
    }
}
