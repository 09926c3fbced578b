//! Failure fingerprints: a short, stable id for "the same bug", computed from a dead letter's
//! normalised failure, so that `dlq groups` can show which failures a DLQ holds and every
//! selecting command can act on one of them (`--fingerprint`).
//!
//! What counts is the root cause, not the wrapper a framework puts around it (Spring wraps every
//! listener failure in `ListenerExecutionFailedException`; Connect's message for a JSON error ends
//! in ": " with the cause only in the trace): the innermost `Caused by:` of a Java trace, the last
//! exception of a Python traceback, the `panic:` of a Go trace, the innermost `--->` of a .NET
//! one. Its class, its message with the variable parts masked (numbers, UUIDs, hex ids, quoted
//! values, times, e-mail addresses, hosts and ports), the top frames of its stack (line numbers
//! and generated names stripped) and the origin topic make the fingerprint: the same bug gives
//! the same id across entries, partitions, runs and machines; another exception class or call
//! site gives another.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use regex::Regex;
use sha2::{Digest, Sha256};

use super::entry::Context;

/// How many frames of the root cause's stack take part.
const TOP_FRAMES: usize = 5;

/// A failure, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// 8 hex digits.
    pub fingerprint: String,
    /// The root cause's class (or error type); the entry's own where no trace says more.
    pub error_class: Option<String>,
    /// The class that wrapped the root cause, when it differs.
    pub wrapper: Option<String>,
    /// The root cause's message with its variable parts masked.
    pub template: String,
    /// The top frames of the root cause's stack, normalised.
    pub frames: Vec<String>,
}

/// Failures already normalised in this process, by a 128-bit hash of what they are computed
/// from with every run of digits read as one digit (`shape_key`): the thousands of entries of
/// one failure, which differ in ids, offsets and line numbers, are normalised once. The
/// normalisation is blind to digits in the same way (numbers and words with digits are masked,
/// digits leave frame names), so entries of one key have one failure; a root cause's class that
/// only a trace names is the one exception (two such classes differing only in a digit, with
/// traces alike otherwise, would share the first one's fingerprint).
type Memo = HashMap<(u64, u64), Arc<Failure>>;
static MEMO: LazyLock<Mutex<Memo>> = LazyLock::new(|| Mutex::new(HashMap::new()));
/// Distinct failures remembered; past it, new ones are computed each time (no memory).
const MEMO_MAX: usize = 8192;

/// The normalised failure of an entry's context.
pub(crate) fn failure(c: &Context) -> Arc<Failure> {
    let inputs = [
        c.error_class.as_deref(),
        c.error_message.as_deref(),
        c.stacktrace.as_deref(),
        c.origin_topic.as_deref(),
    ];
    let key = shape_key(&inputs);
    if let Some(known) = MEMO.lock().expect("fingerprint memo").get(&key) {
        return known.clone();
    }
    let f = Arc::new(compute(c));
    let mut memo = MEMO.lock().expect("fingerprint memo");
    if memo.len() < MEMO_MAX {
        memo.insert(key, f.clone());
    }
    f
}

/// Two 64-bit hashes of the inputs (class, message, trace, origin), each run of ASCII digits in
/// the message and the trace taken as one `0`: cheap (one pass, no allocation) next to the
/// normalisation it saves.
fn shape_key(inputs: &[Option<&str>; 4]) -> (u64, u64) {
    let (mut a, mut b) = (0xcbf2_9ce4_8422_2325_u64, 0x9e37_79b9_7f4a_7c15_u64);
    for (i, input) in inputs.iter().enumerate() {
        let bytes = input.map_or(&b"\xff"[..], str::as_bytes);
        // The entry's class and origin as they are; the message and the trace digit-blind.
        let blind = i == 1 || i == 2;
        let mut in_digits = false;
        for &byte in bytes {
            let byte = if blind && byte.is_ascii_digit() {
                if in_digits {
                    continue;
                }
                in_digits = true;
                b'0'
            } else {
                in_digits = false;
                byte
            };
            a = (a ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            b = (b ^ u64::from(byte))
                .wrapping_mul(0xff51_afd7_ed55_8ccd)
                .rotate_left(29);
        }
        a = (a ^ 0xfe).wrapping_mul(0x0100_0000_01b3);
        b = (b ^ 0xfe)
            .wrapping_mul(0xff51_afd7_ed55_8ccd)
            .rotate_left(29);
    }
    (a, b)
}

fn compute(c: &Context) -> Failure {
    let trace = c.stacktrace.as_deref().unwrap_or("");
    let root = root_cause(trace);
    let (class, message) = match &root {
        Some((class, message)) => (Some(class.clone()), message.clone()),
        None => (
            c.error_class.clone(),
            c.error_message.clone().unwrap_or_default(),
        ),
    };
    // A cause the trace names but whose message is empty: the entry's message is the better one.
    let message = if message.trim().is_empty() {
        c.error_message.clone().unwrap_or_default()
    } else {
        message
    };
    let wrapper = c
        .error_class
        .clone()
        .filter(|w| class.as_deref().is_some_and(|root| root != w));
    let template = template(&message);
    let frames = top_frames(trace);
    let mut h = Sha256::new();
    for part in [
        class.as_deref().unwrap_or(""),
        &template,
        &frames.join("\n"),
        c.origin_topic.as_deref().unwrap_or(""),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let fingerprint = h.finalize()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Failure {
        fingerprint,
        error_class: class,
        wrapper,
        template,
        frames,
    }
}

/// The entry's fingerprint alone.
pub(crate) fn fingerprint(c: &Context) -> String {
    failure(c).fingerprint.clone()
}

static JAVA_CAUSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)^\s*Caused by: ([\w$.]+(?:Exception|Error|Throwable|Fault)[\w$]*)(?::\s?(.*))?$",
    )
    .unwrap()
});
static DOTNET_INNER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)--->\s*([\w.`]+(?:Exception|Error))(?::\s?(.*))?$").unwrap());
static GO_PANIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^panic: (.*?)(?: \[recovered\])?$").unwrap());
static PYTHON_LAST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^([A-Za-z_][\w.]*(?:Error|Exception|Warning|Exit|Interrupt)):?\s?(.*)$")
        .unwrap()
});

/// The innermost cause a stack trace names: its class and message.
fn root_cause(trace: &str) -> Option<(String, String)> {
    if trace.is_empty() {
        return None;
    }
    let last = |re: &Regex| {
        re.captures_iter(trace).last().map(|c| {
            (
                c[1].to_string(),
                c.get(2).map_or("", |m| m.as_str()).trim().to_string(),
            )
        })
    };
    if let Some(cause) = last(&JAVA_CAUSE).or_else(|| last(&DOTNET_INNER)) {
        return Some(cause);
    }
    if let Some(c) = GO_PANIC.captures(trace) {
        let text = c[1].trim();
        // `panic: runtime error: index out of range [5] with length 3`
        let (class, message) = match text.split_once(": ") {
            Some((kind, rest)) if kind.starts_with("runtime error") => ("runtime error", rest),
            _ => ("panic", text),
        };
        return Some((class.to_string(), message.to_string()));
    }
    if trace.contains("Traceback (most recent call last)") {
        return last(&PYTHON_LAST);
    }
    None
}

static MASKS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "<uuid>"),
        (r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", "<email>"),
        (
            r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
            "<time>",
        ),
        (r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b", "<host>"),
        (r"\b[A-Za-z][\w-]*(?:\.[\w-]+)*:\d{2,5}\b", "<host>"),
        (r#""[^"]*""#, "<str>"),
        (r"'[^']*'", "<str>"),
        (r"\b0x[0-9a-fA-F]+\b", "<hex>"),
        (r"\b[0-9a-fA-F]*\d[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b|\b[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\d[0-9a-fA-F]*\b", "<hex>"),
        // A word with digits in it (`SKU-12`, `abc1`, `v2`): ids, as far as a failure goes.
        (r"\b(?:[A-Za-z_][\w-]*\d[\w-]*|\d+[A-Za-z_][\w-]*)\b", "<id>"),
        (r"-?\b\d+(?:\.\d+)?\b", "<n>"),
    ]
    .into_iter()
    .map(|(re, to)| (Regex::new(re).unwrap(), to))
    .collect()
});

/// A message with its variable parts masked, whitespace collapsed.
pub(crate) fn template(message: &str) -> String {
    let mut s = message.split_whitespace().collect::<Vec<_>>().join(" ");
    for (re, to) in MASKS.iter() {
        // Hex words only of 8 characters and more: `cafe` and `add` are words.
        if *to == "<hex>" && !re.as_str().starts_with(r"\b0x") {
            s = re
                .replace_all(&s, |c: &regex::Captures<'_>| {
                    if c[0].len() >= 8 {
                        "<hex>".to_string()
                    } else {
                        c[0].to_string()
                    }
                })
                .into_owned();
            continue;
        }
        s = re.replace_all(&s, *to).into_owned();
    }
    s
}

static JAVA_FRAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*at ([\w$.<>/]+)\(").unwrap());
static DOTNET_FRAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*at ([\w$.<>`\[\],]+)\(.*\)(?: in .*)?$").unwrap());
static PYTHON_FRAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*File "(?:.*/)?([^"/]+)", line \d+, in (\S+)"#).unwrap());
static GO_FUNC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^((?:[\w.-]+/)*[\w.-]+\.[\w.*()$\[\]]+)\(.*\)$").unwrap());
static GENERATED: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        // (In a replacement `$$` is one `$`.)
        (r"\$\$Lambda[$/]?[\w/]*", "$$$$Lambda"),
        (r"\$Proxy\d+", "$$Proxy"),
        (
            r"\$\$(?:EnhancerBy|FastClassBy|SpringCGLIB)\w*(?:\$\$\w+)?",
            "",
        ),
        (r"lambda\$(\w+)\$\d+", "lambda$$$1"),
        (r"GeneratedMethodAccessor\d+", "GeneratedMethodAccessor"),
        (r"\.func\d+(?:\.\d+)*", ".func"),
        (r"<(\w+)>[a-z]__\d+(?:_\d+)?", "<$1>"),
        (r"\bd__\d+\b", "d__"),
    ]
    .into_iter()
    .map(|(re, to)| (Regex::new(re).unwrap(), to))
    .collect()
});

/// Frames that say nothing of the bug: reflection, the JVM's and the Go runtime's own.
fn is_plumbing(frame: &str) -> bool {
    [
        "jdk.internal.",
        "java.lang.reflect.",
        "sun.reflect.",
        "runtime.",
        "runtime/debug.",
        "panic",
        "System.Runtime.",
    ]
    .iter()
    .any(|p| frame.starts_with(p))
}

/// The top frames of the root cause's part of the trace (after its `Caused by:`, or the whole
/// trace), normalised: no line numbers, files only by name, generated names reduced.
fn top_frames(trace: &str) -> Vec<String> {
    // Java: the root cause's own frames follow its `Caused by:` line.
    let part = JAVA_CAUSE
        .find_iter(trace)
        .last()
        .map_or(trace, |m| &trace[m.end()..]);
    let mut frames = Vec::new();
    for line in part.lines() {
        let frame = if let Some(c) = JAVA_FRAME.captures(line) {
            c[1].to_string()
        } else if let Some(c) = DOTNET_FRAME.captures(line) {
            c[1].to_string()
        } else if let Some(c) = PYTHON_FRAME.captures(line) {
            format!("{}:{}", &c[1], &c[2])
        } else if let Some(c) = GO_FUNC.captures(line.trim_end()) {
            c[1].to_string()
        } else {
            continue;
        };
        let mut frame = frame;
        for (re, to) in GENERATED.iter() {
            frame = re.replace_all(&frame, *to).into_owned();
        }
        // Digits left in a frame's name are generated ones (`Foo$1`, `handle0`).
        frame.retain(|c| !c.is_ascii_digit());
        if is_plumbing(&frame) {
            continue;
        }
        frames.push(frame);
        if frames.len() == TOP_FRAMES {
            break;
        }
    }
    // Python prints the innermost frame last.
    if trace.contains("Traceback (most recent call last)") {
        let all: Vec<String> = part
            .lines()
            .filter_map(|l| {
                PYTHON_FRAME
                    .captures(l)
                    .map(|c| format!("{}:{}", &c[1], &c[2]))
            })
            .collect();
        return all.into_iter().rev().take(TOP_FRAMES).collect();
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(class: Option<&str>, message: &str, trace: &str, origin: &str) -> Context {
        Context {
            error_class: class.map(str::to_string),
            error_message: Some(message.to_string()),
            stacktrace: (!trace.is_empty()).then(|| trace.to_string()),
            origin_topic: Some(origin.to_string()),
            ..Context::default()
        }
    }

    /// Spring Kafka's wrapper around a listener's own exception (a trace as
    /// DeadLetterPublishingRecoverer writes it, lambda and proxy names as a JVM makes them).
    fn spring(order: u32, lambda: u32, line: u32) -> Context {
        let trace = format!(
            "org.springframework.kafka.listener.ListenerExecutionFailedException: Listener method 'public void dev.dlq.seed.Orders.listen(java.lang.String)' threw exception\n\
             \tat org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.decorateException(KafkaMessageListenerContainer.java:2961)\n\
             \tat org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.doInvokeErrorHandler(KafkaMessageListenerContainer.java:2882)\n\
             Caused by: java.lang.IllegalStateException: order {order} has no customer (tenant 'acme-{order}')\n\
             \tat dev.dlq.seed.Orders.validate(Orders.java:{line})\n\
             \tat dev.dlq.seed.Orders$$Lambda/0x00007f{lambda:x}.apply(Unknown Source)\n\
             \tat jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)\n\
             \tat dev.dlq.seed.Orders.lambda$listen$0(Orders.java:{})\n\
             \tat jdk.proxy2.$Proxy{lambda}.listen(Unknown Source)\n\
             \t... 14 more\n",
            line + 10
        );
        ctx(
            Some("org.springframework.kafka.listener.ListenerExecutionFailedException"),
            "Listener method 'public void dev.dlq.seed.Orders.listen(java.lang.String)' threw exception",
            &trace,
            "orders",
        )
    }

    #[test]
    fn spring_repeats_collapse_to_the_root_cause_whatever_the_ids_and_generated_names() {
        let a = failure(&spring(1042, 0x1a2b, 57));
        let b = failure(&spring(77, 0x99ff, 57));
        assert_eq!(a.fingerprint, b.fingerprint, "{a:?}\n{b:?}");
        assert_eq!(a.fingerprint.len(), 8);
        assert_eq!(
            a.error_class.as_deref(),
            Some("java.lang.IllegalStateException")
        );
        assert_eq!(
            a.wrapper.as_deref(),
            Some("org.springframework.kafka.listener.ListenerExecutionFailedException")
        );
        assert_eq!(a.template, "order <n> has no customer (tenant <str>)");
        assert_eq!(
            a.frames,
            [
                "dev.dlq.seed.Orders.validate",
                "dev.dlq.seed.Orders$$Lambda.apply",
                "dev.dlq.seed.Orders.lambda$listen",
                "jdk.proxy.$Proxy.listen"
            ]
        );
        // A line number moved by a rebuild is the same bug.
        assert_eq!(failure(&spring(5, 1, 80)).fingerprint, a.fingerprint);
    }

    #[test]
    fn another_class_call_site_or_origin_is_another_failure() {
        let base = spring(1, 1, 57);
        let fp = fingerprint(&base);
        let mut other_class = base.clone();
        other_class.stacktrace = Some(
            base.stacktrace
                .as_deref()
                .unwrap()
                .replace("IllegalStateException", "IllegalArgumentException"),
        );
        assert_ne!(fingerprint(&other_class), fp);
        let mut other_site = base.clone();
        other_site.stacktrace = Some(
            base.stacktrace
                .as_deref()
                .unwrap()
                .replace("Orders.validate", "Orders.price"),
        );
        assert_ne!(fingerprint(&other_site), fp);
        let mut other_origin = base.clone();
        other_origin.origin_topic = Some("payments".into());
        assert_ne!(fingerprint(&other_origin), fp);
    }

    #[test]
    fn connect_json_errors_take_the_cause_from_the_trace() {
        // Connect's exception.message for a JSON error ends in ": "; the cause is in the trace.
        let trace = |offset: u32, ch: char| {
            format!(
                "org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect data failed due to serialization error: \n\
                 \tat org.apache.kafka.connect.json.JsonConverter.toConnectData(JsonConverter.java:333)\n\
                 \tat org.apache.kafka.connect.runtime.WorkerSinkTask.convertValue(WorkerSinkTask.java:554)\n\
                 Caused by: org.apache.kafka.common.errors.SerializationException: com.fasterxml.jackson.core.JsonParseException: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n\
                  at [Source: (byte[])\"not json {offset}\"; line: 1, column: {}]\n\
                 Caused by: com.fasterxml.jackson.core.JsonParseException: Unrecognized token '{ch}ot': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n\
                  at [Source: (byte[])\"not json {offset}\"; line: 1, column: {}]\n\
                 \tat com.fasterxml.jackson.core.JsonParser._constructError(JsonParser.java:2477)\n\
                 \tat com.fasterxml.jackson.core.base.ParserMinimalBase._reportError(ParserMinimalBase.java:760)\n",
                offset % 7,
                offset % 7
            )
        };
        let c = |offset, ch| {
            ctx(
                Some("org.apache.kafka.connect.errors.DataException"),
                "Converting byte[] to Kafka Connect data failed due to serialization error: ",
                &trace(offset, ch),
                "connect-orders",
            )
        };
        let a = failure(&c(3, 'n'));
        assert_eq!(
            a.error_class.as_deref(),
            Some("com.fasterxml.jackson.core.JsonParseException")
        );
        assert_eq!(
            a.template,
            "Unrecognized token <str>: was expecting (JSON String, Number, Array, Object or token <str>, <str> or <str>)"
        );
        assert_eq!(a.fingerprint, failure(&c(11, 'm')).fingerprint);
        assert_eq!(
            a.frames[0], "com.fasterxml.jackson.core.JsonParser._constructError",
            "the root cause's own frames"
        );
    }

    #[test]
    fn python_tracebacks_take_the_last_exception_and_the_innermost_frames() {
        let tb = |id: u32, line: u32| {
            format!(
                "Traceback (most recent call last):\n  File \"/srv/app/worker.py\", line {line}, in handle\n    order = parse(msg.value())\n  File \"/srv/app/orders.py\", line {}, in parse\n    return Order(**json.loads(raw))\nKeyError: 'customer_{id}'\n",
                line + 30
            )
        };
        let a = failure(&ctx(Some("KeyError"), "'customer_7'", &tb(7, 12), "orders"));
        let b = failure(&ctx(Some("KeyError"), "'customer_9'", &tb(9, 14), "orders"));
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_eq!(a.error_class.as_deref(), Some("KeyError"));
        assert_eq!(a.template, "<str>");
        assert_eq!(a.frames, ["orders.py:parse", "worker.py:handle"]);
        let value = failure(&ctx(
            Some("ValueError"),
            "bad amount -5",
            &tb(7, 12).replace("KeyError: 'customer_7'", "ValueError: bad amount -5"),
            "orders",
        ));
        assert_ne!(value.fingerprint, a.fingerprint);
    }

    #[test]
    fn go_panics_and_errors() {
        let panic = |len: u32, addr: u32| {
            format!(
                "panic: runtime error: index out of range [{len}] with length {len}\n\ngoroutine 42 [running]:\nruntime/debug.Stack()\n\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e\nmain.(*Service).handle.func1()\n\t/src/envelope-dlq/main.go:88 +0x{addr:x}\npanic({{0x6b2e40?, 0xc000{addr:x}}})\n\t/usr/local/go/src/runtime/panic.go:791 +0x132\nmain.(*Service).price(...)\n\t/src/envelope-dlq/main.go:{} +0x3c\nmain.(*Service).handle(0xc0001{addr:x}, {{0x7, 0x8}})\n\t/src/envelope-dlq/main.go:120 +0x1f0\n",
                40 + len
            )
        };
        let a = failure(&ctx(
            Some("panic"),
            "runtime error: index out of range [3] with length 3",
            &panic(3, 0x1d),
            "orders",
        ));
        let b = failure(&ctx(
            Some("panic"),
            "runtime error: index out of range [5] with length 5",
            &panic(5, 0x2e),
            "orders",
        ));
        assert_eq!(a.fingerprint, b.fingerprint, "{a:?}\n{b:?}");
        assert_eq!(a.error_class.as_deref(), Some("runtime error"));
        assert_eq!(a.template, "index out of range [<n>] with length <n>");
        assert_eq!(
            a.frames,
            [
                "main.(*Service).handle.func",
                "main.(*Service).price",
                "main.(*Service).handle"
            ]
        );
        // An error value (no panic): the entry's own class and message, masked.
        let e = |id: u32| {
            failure(&ctx(
                Some("*main.ValidationError"),
                &format!("order {id}: amount -5.00 must be positive"),
                "goroutine 7 [running]:\nruntime/debug.Stack()\n\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e\nmain.(*Service).validate(0xc000010000)\n\t/src/envelope-dlq/main.go:64 +0x85\n",
                "orders",
            ))
        };
        assert_eq!(e(1).fingerprint, e(2).fingerprint);
        assert_eq!(e(1).template, "order <n>: amount <n> must be positive");
        assert_ne!(e(1).fingerprint, a.fingerprint);
    }

    #[test]
    fn dotnet_inner_exceptions_and_async_names() {
        let t = |id: u32, line: u32| {
            format!(
                "System.AggregateException: One or more errors occurred. (Order {id} failed)\n ---> System.InvalidOperationException: Order {id} failed: stock for sku 'A-{id}' is negative\n   at Shop.Orders.Reserve(Order order) in /src/Shop/Orders.cs:line {line}\n   at Shop.Orders.<HandleAsync>d__5.MoveNext() in /src/Shop/Orders.cs:line 30\n   --- End of inner exception stack trace ---\n"
            )
        };
        let a = failure(&ctx(
            Some("System.AggregateException"),
            "One or more errors occurred.",
            &t(1, 12),
            "orders",
        ));
        let b = failure(&ctx(
            Some("System.AggregateException"),
            "One or more errors occurred.",
            &t(2, 14),
            "orders",
        ));
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_eq!(
            a.error_class.as_deref(),
            Some("System.InvalidOperationException")
        );
        assert_eq!(
            a.template,
            "Order <n> failed: stock for sku <str> is negative"
        );
        assert_eq!(a.frames[0], "Shop.Orders.Reserve");
    }

    #[test]
    fn messages_are_masked_but_keep_their_words() {
        assert_eq!(
            template("user bob@example.com at 10.0.0.7:9092 on kafka-1.internal:9093 at 2026-12-06T08:00:00Z id 3fa9c2e1-0b1d-4c7e-9a2f-1234567890ab ref 0xdeadbeef hash 9f86d081884c7d65 took 1.5 s"),
            "user <email> at <host> on <host> at <time> id <uuid> ref <hex> hash <hex> took <n> s"
        );
        assert_eq!(
            template("cannot add cafe"),
            "cannot add cafe",
            "short hex-like words stay"
        );
    }

    #[test]
    fn an_entry_without_any_error_still_has_a_fingerprint() {
        let c = Context::default();
        assert_eq!(fingerprint(&c).len(), 8);
        assert_eq!(fingerprint(&c), fingerprint(&Context::default()));
    }
}
