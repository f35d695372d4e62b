//! The outbox adapter inside a real service worker (headless Chromium) with
//! a real IndexedDB: enqueue, lease, ack, reject, and a lease that lapses
//! after its sender died. Every test opens its own database.
#![cfg(target_arch = "wasm32")]

use ticketrail_core::outbox::{Next, Sent, Settle, State, Write, LEASE_MS};
use ticketrail_outbox::{Contents, Outbox, Settled, Taken};
use ticketrail_protocol::{
    Order, OrderItemRequest, OrderStatus, Paired, PlaceOrder, Role, Timestamp,
};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_service_worker);

fn at() -> Timestamp {
    "2026-11-22T08:00:00Z".parse().unwrap()
}

fn place(key: &str) -> Write {
    Write::PlaceOrder {
        order: PlaceOrder {
            client_order_id: key.into(),
            outlet_id: "1".into(),
            items: vec![OrderItemRequest {
                product_id: "p-1".into(),
                quantity: 2,
                notes: Some("no ice 🧊".into()),
            }],
            master_version: Some(4),
            placed_at: at(),
        },
        shown_total: 18_000,
        local_number: "Q-1".into(),
    }
}

fn order(key: &str) -> Order {
    Order {
        id: "o-1".into(),
        client_order_id: key.into(),
        order_number: "042".into(),
        outlet_id: "1".into(),
        status: OrderStatus::Pending,
        items: Vec::new(),
        total_amount: 18_000,
        currency: "IDR".into(),
        seq: 7,
        placed_at: at(),
        created_at: at(),
        updated_at: at(),
    }
}

async fn fresh(name: &str) -> Outbox {
    let name = format!("{name}-{}", js_sys::Math::random());
    Outbox::open_named(&name).await.expect("the outbox opens")
}

/// Everything queued: a test's queue fits in one front read.
async fn all(outbox: &Outbox) -> Contents {
    let contents = outbox.front(64).await.expect("the queue reads");
    assert_eq!(contents.unread, 0, "a test's queue is read whole");
    contents
}

fn sent(taken: Taken) -> u64 {
    match taken.next {
        Next::Send(entry) => entry.seq,
        other => panic!("expected a lease, got {other:?}"),
    }
}

fn ahead(taken: &Taken) -> Vec<u64> {
    taken.ahead.iter().map(|entry| entry.seq).collect()
}

fn created() -> Sent {
    Sent::Answer {
        status: 201,
        code: None,
        message: None,
    }
}

#[wasm_bindgen_test]
async fn queued_entries_are_leased_in_order_and_an_ack_is_kept_with_the_delete() {
    let outbox = fresh("order").await;
    let first = outbox.enqueue(place("a"), 1.0).await.unwrap();
    let second = outbox.enqueue(place("b"), 2.0).await.unwrap();
    assert!(first.seq < second.seq, "the store numbers entries in order");
    let contents = all(&outbox).await;
    assert_eq!(contents.entries, [first.clone(), second.clone()]);

    let taken = outbox.lease_next("w1", 10.0).await.unwrap();
    assert_eq!(ahead(&taken), [second.seq], "the next one is leased ahead");
    assert_eq!(sent(taken), first.seq);
    assert!(
        matches!(
            outbox.lease_next("w2", 20.0).await.unwrap().next,
            Next::WaitUntil(_)
        ),
        "another trigger neither sends the head again nor skips it"
    );
    let settled = outbox
        .settle(
            Settled {
                seq: first.seq,
                holder: "w1",
                result: &created(),
                order: Some(&order("a")),
            },
            30.0,
            0.0,
        )
        .await
        .unwrap();
    assert_eq!(settled, Settle::Delete);
    assert_eq!(outbox.ack("a").await.unwrap(), Some(order("a")));
    assert_eq!(outbox.ack("b").await.unwrap(), None);
    assert_eq!(
        outbox
            .settle(
                Settled {
                    seq: first.seq,
                    holder: "w1",
                    result: &created(),
                    order: Some(&order("a")),
                },
                31.0,
                0.0,
            )
            .await
            .unwrap(),
        Settle::Ignore,
        "a duplicate answer finds nothing"
    );
    assert!(
        matches!(
            outbox.lease_next("w2", 40.0).await.unwrap().next,
            Next::WaitUntil(_)
        ),
        "w1 holds the next one, leased ahead"
    );
}

#[wasm_bindgen_test]
async fn a_refusal_is_kept_out_of_the_queue_and_the_next_entry_goes() {
    let outbox = fresh("reject").await;
    let bad = outbox.enqueue(place("bad"), 1.0).await.unwrap();
    let next = outbox.enqueue(place("next"), 2.0).await.unwrap();
    let taken = outbox.lease_next("w1", 10.0).await.unwrap();
    let refused = Sent::Answer {
        status: 422,
        code: Some("unknown_product".into()),
        message: Some("Es Teh is no longer on the menu".into()),
    };
    let (_, following) = outbox
        .settle_then_lease(
            &[Settled {
                seq: bad.seq,
                holder: "w1",
                result: &refused,
                order: None,
            }],
            &taken.ahead,
            20.0,
            0.0,
        )
        .await
        .unwrap();
    let contents = all(&outbox).await;
    assert_eq!(
        contents.entries[0].state,
        State::Rejected {
            status: 422,
            code: "unknown_product".into(),
            message: "Es Teh is no longer on the menu".into()
        },
        "kept for a person to see"
    );
    assert_eq!(
        sent(following),
        next.seq,
        "the next one, leased ahead, is given back and leased as the head"
    );

    outbox.dismiss_rejected(next.seq).await.unwrap();
    outbox.dismiss_rejected(bad.seq).await.unwrap();
    let left: Vec<u64> = all(&outbox)
        .await
        .entries
        .iter()
        .map(|entry| entry.seq)
        .collect();
    assert_eq!(left, [next.seq], "only a refused entry can be dismissed");
}

#[wasm_bindgen_test]
async fn a_front_read_holds_the_head_past_refusals_and_counts_the_rest() {
    let outbox = fresh("front").await;
    let mut queued = Vec::new();
    for (index, key) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
        queued.push(outbox.enqueue(place(key), index as f64).await.unwrap());
    }
    let front = outbox.front(2).await.unwrap();
    assert_eq!(front.entries, queued[..2]);
    assert_eq!(front.unread, 3, "the rest is counted, not read");
    let summary = front.summary(10.0);
    assert_eq!(summary.pending, 5, "the unread records wait too");
    assert_eq!(summary.oldest_ms, Some(10.0), "the oldest is at the front");
    assert!(front.has_pending());

    let refused = Sent::Answer {
        status: 422,
        code: Some("unknown_product".into()),
        message: Some("gone".into()),
    };
    let mut taken = outbox.lease_next("w1", 20.0).await.unwrap();
    for entry in &queued[..2] {
        assert_eq!(sent(taken.clone()), entry.seq);
        let sent = Settled {
            seq: entry.seq,
            holder: "w1",
            result: &refused,
            order: None,
        };
        taken = outbox
            .settle_then_lease(&[sent], &taken.ahead, 30.0, 0.0)
            .await
            .unwrap()
            .1;
    }
    let front = outbox.front(2).await.unwrap();
    let head = front
        .entries
        .iter()
        .find(|entry| !matches!(entry.state, State::Rejected { .. }))
        .map(|entry| entry.seq);
    assert_eq!(
        head,
        Some(queued[2].seq),
        "refusals filling the window do not hide the head"
    );
    assert_eq!(front.summary(40.0).rejected, 2);
    assert_eq!(front.summary(40.0).pending, 3);

    let empty = fresh("front-empty").await.front(2).await.unwrap();
    assert_eq!(empty, Contents::default());
    assert!(!empty.has_pending());
}

#[wasm_bindgen_test]
async fn a_lease_lapses_when_its_sender_died_and_the_entry_is_sent_again() {
    let outbox = fresh("crash").await;
    let entry = outbox.enqueue(place("a"), 0.0).await.unwrap();
    sent(outbox.lease_next("dead", 0.0).await.unwrap());
    // The "dead" sender never settles: the worker was killed mid-send.
    assert!(matches!(
        outbox.lease_next("w2", LEASE_MS - 1.0).await.unwrap().next,
        Next::WaitUntil(_)
    ));
    let again = outbox.lease_next("w2", LEASE_MS).await.unwrap().next;
    let Next::Send(again) = again else {
        panic!("the lapsed lease is taken over");
    };
    assert_eq!((again.seq, again.attempts), (entry.seq, 2));
    assert_eq!(
        outbox
            .settle(
                Settled {
                    seq: entry.seq,
                    holder: "dead",
                    result: &created(),
                    order: None
                },
                LEASE_MS + 1.0,
                0.0,
            )
            .await
            .unwrap(),
        Settle::Ignore,
        "the dead sender's late answer settles nothing"
    );
    let failed = Sent::NoAnswer("Failed to fetch".into());
    let Settle::Store(pending) = outbox
        .settle(
            Settled {
                seq: entry.seq,
                holder: "w2",
                result: &failed,
                order: None,
            },
            LEASE_MS + 2.0,
            0.0,
        )
        .await
        .unwrap()
    else {
        panic!("a network error keeps the entry");
    };
    assert!(matches!(pending.state, State::Pending { .. }));
}

#[wasm_bindgen_test]
async fn deliveries_are_settled_together_while_the_next_entry_goes_and_a_failure_gives_them_back() {
    let outbox = fresh("pipeline").await;
    let mut queued = Vec::new();
    for key in ["refused", "b", "c", "d"] {
        queued.push(outbox.enqueue(place(key), 0.0).await.unwrap());
    }
    let (refused, b, c, d) = (queued[0].seq, queued[1].seq, queued[2].seq, queued[3].seq);
    let taken = outbox.lease_next("w1", 1.0).await.unwrap();
    assert_eq!(ahead(&taken), [b, c, d], "the entries after the head");
    assert_eq!(sent(taken.clone()), refused);
    let refusal = Sent::Answer {
        status: 422,
        code: Some("unknown_product".into()),
        message: Some("gone".into()),
    };
    let first = Settled {
        seq: refused,
        holder: "w1",
        result: &refusal,
        order: None,
    };
    let (_, taken) = outbox
        .settle_then_lease(&[first], &taken.ahead, 2.0, 0.0)
        .await
        .unwrap();
    assert_eq!(ahead(&taken), [c, d], "given back and leased again");
    assert_eq!(sent(taken), b);

    let e = outbox.enqueue(place("e"), 3.0).await.unwrap().seq;
    let run = [
        Settled {
            seq: b,
            holder: "w1",
            result: &created(),
            order: Some(&order("b")),
        },
        Settled {
            seq: c,
            holder: "w1",
            result: &created(),
            order: Some(&order("c")),
        },
    ];
    let (settled, following) = outbox
        .settle_then_lease_after(&run, d, 4.0, 0.0)
        .await
        .unwrap();
    assert_eq!(settled, [Settle::Delete, Settle::Delete]);
    assert_eq!(outbox.ack("b").await.unwrap(), Some(order("b")));
    assert_eq!(outbox.ack("c").await.unwrap(), Some(order("c")));
    let seqs: Vec<u64> = following.iter().map(|entry| entry.seq).collect();
    assert_eq!(seqs, [e], "the one after the entry on its way");

    let failed = Sent::NoAnswer("Failed to fetch".into());
    let lost = Settled {
        seq: d,
        holder: "w1",
        result: &failed,
        order: None,
    };
    let (settled, taken) = outbox
        .settle_then_lease(&[lost], &following, 5.0, 0.0)
        .await
        .unwrap();
    assert!(matches!(settled[..], [Settle::Store(_)]), "{settled:?}");
    assert!(
        matches!(taken.next, Next::WaitUntil(_)),
        "the failed entry keeps its place and waits for its backoff: {:?}",
        taken.next
    );
    let contents = all(&outbox).await;
    let left: Vec<u64> = contents.entries.iter().map(|entry| entry.seq).collect();
    assert_eq!(
        left,
        [refused, d, e],
        "the deliveries are gone, the refusal kept"
    );
    assert_eq!(
        contents.entries[2].attempts, 0,
        "the lease ahead was given back, its attempt not counted"
    );
    assert!(matches!(
        contents.entries[2].state,
        State::Pending {
            not_before: 5.0,
            ..
        }
    ));

    let taken = outbox.lease_next("w2", 60_000.0).await.unwrap();
    assert_eq!(ahead(&taken), [e], "another sender takes it at once");
    assert_eq!(sent(taken), d);
}

#[wasm_bindgen_test]
async fn the_screens_credential_is_kept_beside_the_queue_and_replaced_by_a_new_pairing() {
    let outbox = fresh("credential").await;
    assert_eq!(outbox.credential().await.unwrap(), None, "never paired");
    let first = Paired {
        token: "a".repeat(64),
        device_id: "dev-1".into(),
        outlet_id: "1".into(),
        role: Role::Kiosk,
    };
    outbox.save_credential(&first).await.unwrap();
    assert_eq!(outbox.credential().await.unwrap(), Some(first));
    let again = Paired {
        token: "b".repeat(64),
        device_id: "dev-2".into(),
        outlet_id: "1".into(),
        role: Role::Kiosk,
    };
    outbox.save_credential(&again).await.unwrap();
    assert_eq!(outbox.credential().await.unwrap(), Some(again));
    // Pairing never touches what waits to be sent.
    outbox.enqueue(place("held"), 1.0).await.unwrap();
    assert_eq!(all(&outbox).await.entries.len(), 1);
}
