//! The new-ticket chime: two short sine notes from a WebAudio oscillator,
//! so no audio file has to be downloaded or cached.
//!
//! Browsers only let a page make sound after a user gesture. The audio
//! context is therefore created (or resumed) on the first pointer or key
//! press anywhere on the page, and [`use_chime`] reports whether that has
//! happened so the page can ask for a tap. One context serves the whole
//! tab (kept per thread, the only thread a page has), so leaving and
//! re-entering the kitchen neither leaks contexts nor asks for a new tap.

use std::cell::RefCell;

use leptos::{ev, prelude::*};
use wasm_bindgen::JsValue;
use web_sys::{AudioContext, AudioContextState, OscillatorType};

thread_local! {
    static CONTEXT: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

/// The chime's notes: frequency (Hz), start and length (seconds). A rising
/// fifth reads as "something new" without being an alarm.
const NOTES: [(f32, f64, f64); 2] = [(880.0, 0.0, 0.16), (1318.5, 0.16, 0.26)];
/// Peak loudness (0..1): audible over a kitchen's hum, not startling.
const PEAK: f32 = 0.35;

/// Plays the chime, once sound has been unlocked.
#[derive(Debug, Clone, Copy)]
pub struct Chime;

impl Chime {
    /// Plays the chime now; silently does nothing before the first gesture
    /// or if the browser refuses (a missed chime must not break the board:
    /// the flash still shows the new ticket).
    pub fn play(self) {
        CONTEXT.with_borrow(|context| {
            if let Some(context) = context {
                if let Err(err) = play_on(context) {
                    leptos::logging::warn!("could not play the chime: {err:?}");
                }
            }
        });
    }
}

/// The chime and whether sound is unlocked; unlocks on the first pointer or
/// key press while the calling component lives.
pub fn use_chime() -> (Chime, ReadSignal<bool>) {
    let (unlocked, set_unlocked) = signal(is_running());
    let unlock = move || {
        if unlock_context() {
            set_unlocked.set(true);
        }
    };
    // pointerdown for mice, pointerup for touch screens (where the browser
    // counts the end of a tap as the gesture), keydown for keyboards.
    let handles = [
        window_event_listener(ev::pointerdown, move |_| unlock()),
        window_event_listener(ev::pointerup, move |_| unlock()),
        window_event_listener(ev::keydown, move |_| unlock()),
    ];
    on_cleanup(move || handles.into_iter().for_each(|handle| handle.remove()));
    (Chime, unlocked)
}

fn is_running() -> bool {
    CONTEXT.with_borrow(|context| {
        context
            .as_ref()
            .is_some_and(|context| context.state() == AudioContextState::Running)
    })
}

/// Creates or resumes the context inside a gesture; whether sound can play.
fn unlock_context() -> bool {
    CONTEXT.with_borrow_mut(|slot| {
        if slot.is_none() {
            *slot = AudioContext::new().ok();
        }
        match slot {
            Some(context) if context.state() == AudioContextState::Running => true,
            Some(context) => {
                // The promise settles the state; the next gesture checks it
                // again, so its outcome needs no handling here.
                let _ = context.resume();
                true
            }
            None => false,
        }
    })
}

fn play_on(context: &AudioContext) -> Result<(), JsValue> {
    let start = context.current_time();
    for (frequency, offset, length) in NOTES {
        let at = start + offset;
        let oscillator = context.create_oscillator()?;
        oscillator.set_type(OscillatorType::Sine);
        oscillator.frequency().set_value(frequency);
        let gain = context.create_gain()?;
        let level = gain.gain();
        // Exponential ramps cannot start from 0, hence the tiny floor; the
        // short attack and decay avoid clicks.
        level.set_value_at_time(0.0001, at)?;
        level.exponential_ramp_to_value_at_time(PEAK, at + 0.012)?;
        level.exponential_ramp_to_value_at_time(0.0001, at + length)?;
        oscillator.connect_with_audio_node(&gain)?;
        gain.connect_with_audio_node(&context.destination())?;
        oscillator.start_with_when(at)?;
        oscillator.stop_with_when(at + length + 0.02)?;
    }
    Ok(())
}
