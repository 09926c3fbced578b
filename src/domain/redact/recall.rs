//! Redacted texts already seen in this run. The thousands of dead letters of one failure share
//! their error class and often their error message: each distinct text is redacted once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Masked, Redactor};

/// The longest text remembered: error classes and messages; not payloads or stack traces.
const MAX_TEXT: usize = 512;
/// Distinct texts remembered per path. When full, new texts are redacted as usual and not
/// remembered, so a scan of all-different messages costs one lookup more per text, no memory.
const MAX_TEXTS: usize = 4096;

/// What redacting one text gave: the text shown (when it changed) and the paths masked.
#[derive(Debug, Clone)]
struct Remembered {
    shown: Option<String>,
    masked: Vec<String>,
}

/// Shared by the clones of one `Showing` (one run), across threads.
#[derive(Debug, Default, Clone)]
pub(crate) struct Recall(Arc<Mutex<HashMap<String, HashMap<String, Remembered>>>>);

impl Recall {
    /// `redactor.redact_text(text, path, masked)`, from memory when this text was redacted
    /// at this path before. The same redactor must be used for every call on one `Recall`.
    pub(crate) fn redact_text<'a>(
        &self,
        redactor: &Redactor,
        text: &'a str,
        path: &str,
        masked: &mut Masked,
    ) -> Cow<'a, str> {
        if text.len() > MAX_TEXT {
            return redactor.redact_text(text, path, masked);
        }
        let known = {
            let memory = self.0.lock().expect("recall lock");
            memory.get(path).and_then(|texts| texts.get(text)).cloned()
        };
        let r = known.unwrap_or_else(|| {
            let mut fresh = Masked::default();
            let shown = match redactor.redact_text(text, path, &mut fresh) {
                Cow::Borrowed(_) => None,
                Cow::Owned(s) => Some(s),
            };
            let r = Remembered {
                shown,
                masked: fresh.0,
            };
            let mut memory = self.0.lock().expect("recall lock");
            let texts = memory.entry(path.to_string()).or_default();
            if texts.len() < MAX_TEXTS {
                texts.insert(text.to_string(), r.clone());
            }
            r
        });
        for p in &r.masked {
            masked.add(p);
        }
        match r.shown {
            Some(s) => Cow::Owned(s),
            None => Cow::Borrowed(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_text_is_shown_and_recorded_as_the_first_time() {
        let redactor = Redactor::default();
        let recall = Recall::default();
        let secret = "login failed: password=hunter2-Xy9 for order 7";
        let mut direct = Masked::default();
        let expected = redactor.redact_text(secret, "error_message", &mut direct);
        assert_ne!(
            expected, secret,
            "the control: the text has something to mask"
        );
        for _ in 0..3 {
            let mut masked = Masked::default();
            let shown = recall.redact_text(&redactor, secret, "error_message", &mut masked);
            assert_eq!(shown, expected);
            assert_eq!(masked.0, direct.0);
        }
        // The same text at another path is redacted for that path.
        let mut masked = Masked::default();
        recall.redact_text(&redactor, secret, "error_class", &mut masked);
        assert_eq!(masked.0, vec!["error_class".to_string()]);
        // A clean text stays borrowed and masks nothing.
        let mut masked = Masked::default();
        let clean = "unknown currency for order 7";
        assert!(matches!(
            recall.redact_text(&redactor, clean, "error_message", &mut masked),
            Cow::Borrowed(_)
        ));
        assert!(masked.0.is_empty());
    }

    #[test]
    fn memory_stays_bounded_and_texts_past_the_bound_are_still_redacted() {
        let redactor = Redactor::default();
        let recall = Recall::default();
        for n in 0..MAX_TEXTS + 10 {
            let mut masked = Masked::default();
            let text = format!("order {n}: token=ghp_{n:0>36}");
            let shown = recall.redact_text(&redactor, &text, "error_message", &mut masked);
            assert!(!shown.contains(&format!("ghp_{n:0>36}")), "{shown}");
        }
        let memory = recall.0.lock().unwrap();
        assert_eq!(memory["error_message"].len(), MAX_TEXTS);
    }
}
